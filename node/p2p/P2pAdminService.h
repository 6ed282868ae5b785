#pragma once
// P2pAdminService: the TEST ONLY gRPC service P2pAdmin (docs/p2p.md, "Fault
// injection"), kept apart from the production path: the node registers it
// only when p2p.allow_fault_injection = true. SetBlocked hands the requested
// set of node ids to `setBlocked` (PeerManager::setBlocked); ListPeers answers
// with what `listPeers` returns (PeerManager::peers()).
//
// Thread-safe if the callbacks are.

#include <functional>
#include <set>
#include <string>

#include "agora/p2p/v1/p2p.grpc.pb.h"

namespace agora::node {

class P2pAdminService final : public p2p::v1::P2pAdmin::Service {
public:
    using OnSetBlocked = std::function<void(std::set<std::string>)>;
    using OnListPeers = std::function<p2p::v1::ListPeersResponse()>;
    P2pAdminService(OnSetBlocked setBlocked, OnListPeers listPeers)
        : setBlocked_(std::move(setBlocked)), listPeers_(std::move(listPeers)) {}

    grpc::Status SetBlocked(grpc::ServerContext* ctx, const p2p::v1::SetBlockedRequest* req,
                            p2p::v1::SetBlockedResponse* resp) override;
    grpc::Status ListPeers(grpc::ServerContext* ctx, const p2p::v1::ListPeersRequest* req,
                           p2p::v1::ListPeersResponse* resp) override;

private:
    OnSetBlocked setBlocked_;
    OnListPeers listPeers_;
};

}  // namespace agora::node
