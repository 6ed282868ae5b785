#pragma once
// Which events a subscription wants: an event matches when its type is in
// `types` (empty = any type) and every entry of `attributes` is present on
// the event with an equal value.

#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "consensus/core/Expected.h"
#include "node/http/WsEvent.h"

namespace agora::node {

struct WsEventFilter {
    std::set<std::string> types;
    std::map<std::string, std::string> attributes;

    bool matches(const WsEvent& e) const {
        if (!types.empty() && types.count(e.type) == 0) return false;
        for (const auto& [k, v] : attributes) {
            auto it = e.attributes.find(k);
            if (it == e.attributes.end() || it->second != v) return false;
        }
        return true;
    }

    // From {"types": [..], "attributes": {k: v}}; both optional. Strict:
    // unknown keys and wrong types are errors (the message names them).
    static Expected<WsEventFilter, std::string> fromJson(const nlohmann::json& j);
    nlohmann::json toJson() const;
};

}  // namespace agora::node
