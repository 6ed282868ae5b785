#include "node/p2p/P2pAdminService.h"

namespace agora::node {

grpc::Status P2pAdminService::SetBlocked(grpc::ServerContext*, const p2p::v1::SetBlockedRequest* req,
                                         p2p::v1::SetBlockedResponse* resp) {
    std::set<std::string> ids(req->node_ids().begin(), req->node_ids().end());
    resp->set_blocked(static_cast<std::uint32_t>(ids.size()));
    setBlocked_(std::move(ids));
    return grpc::Status::OK;
}

grpc::Status P2pAdminService::ListPeers(grpc::ServerContext*, const p2p::v1::ListPeersRequest*,
                                        p2p::v1::ListPeersResponse* resp) {
    *resp = listPeers_();
    return grpc::Status::OK;
}

}  // namespace agora::node
