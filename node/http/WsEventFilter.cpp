#include "node/http/WsEventFilter.h"

namespace agora::node {

Expected<WsEventFilter, std::string> WsEventFilter::fromJson(const nlohmann::json& j) {
    WsEventFilter f;
    if (j.is_null()) return f;
    if (!j.is_object()) return Unexpected(std::string("filter must be an object"));
    for (const auto& [key, value] : j.items()) {
        if (key == "types") {
            if (!value.is_array()) return Unexpected(std::string("filter.types must be an array of strings"));
            for (const auto& t : value) {
                if (!t.is_string()) return Unexpected(std::string("filter.types must be an array of strings"));
                f.types.insert(t.get<std::string>());
            }
        } else if (key == "attributes") {
            if (!value.is_object()) return Unexpected(std::string("filter.attributes must be an object of strings"));
            for (const auto& [k, v] : value.items()) {
                if (!v.is_string()) return Unexpected("filter.attributes." + k + " must be a string");
                f.attributes[k] = v.get<std::string>();
            }
        } else {
            return Unexpected("unknown filter key '" + key + "'");
        }
    }
    return f;
}

nlohmann::json WsEventFilter::toJson() const {
    return nlohmann::json{{"types", types}, {"attributes", attributes}};
}

}  // namespace agora::node
