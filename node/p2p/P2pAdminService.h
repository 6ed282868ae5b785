#pragma once
// P2pAdminService: the TEST ONLY gRPC service P2pAdmin.SetBlocked (docs/p2p.md,
// "Fault injection"), kept apart from the production path: the node registers
// it only when p2p.allow_fault_injection = true, and all it does is hand the
// requested set of node ids to `setBlocked` (PeerManager::setBlocked).
//
// Thread-safe if `setBlocked` is.

#include <functional>
#include <set>
#include <string>

#include "agora/p2p/v1/p2p.grpc.pb.h"

namespace agora::node {

class P2pAdminService final : public p2p::v1::P2pAdmin::Service {
public:
    using OnSetBlocked = std::function<void(std::set<std::string>)>;
    explicit P2pAdminService(OnSetBlocked setBlocked) : setBlocked_(std::move(setBlocked)) {}

    grpc::Status SetBlocked(grpc::ServerContext* ctx, const p2p::v1::SetBlockedRequest* req,
                            p2p::v1::SetBlockedResponse* resp) override;

private:
    OnSetBlocked setBlocked_;
};

}  // namespace agora::node
