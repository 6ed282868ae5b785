#pragma once
// An event the node publishes to WebSocket subscribers: a type such as
// "lease.created", the block height it belongs to, string attributes that
// filters match on (e.g. provider, job_id) and a JSON payload.

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace agora::node {

struct WsEvent {
    std::string type;
    std::uint64_t height = 0;
    std::map<std::string, std::string> attributes;
    nlohmann::json data;

    // {"type", "height", "attributes", "data"}
    nlohmann::json toJson() const {
        return nlohmann::json{{"type", type}, {"height", height}, {"attributes", attributes}, {"data", data}};
    }
};

}  // namespace agora::node
