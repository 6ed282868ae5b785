#include "node/events/EventFilter.h"

#include <algorithm>

namespace agora::node {

namespace {
bool isName(const std::string& s) {
    if (s.empty() || s.size() > state::kEventKeyMax) return false;
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'; });
}
}  // namespace

Expected<EventFilter, std::string> EventFilter::make(std::vector<std::string> types,
                                                     std::vector<state::EventAttribute> attributes) {
    if (types.size() > kFilterTypesMax)
        return Unexpected("filter has " + std::to_string(types.size()) + " types, at most " +
                          std::to_string(kFilterTypesMax) + " allowed");
    if (attributes.size() > kFilterAttributesMax)
        return Unexpected("filter has " + std::to_string(attributes.size()) + " attributes, at most " +
                          std::to_string(kFilterAttributesMax) + " allowed");
    for (const auto& t : types)
        if (!isName(t)) return Unexpected("invalid event type \"" + t + "\": use 1..64 of [a-z0-9_.]");
    for (const auto& a : attributes) {
        if (!isName(a.key)) return Unexpected("invalid attribute key \"" + a.key + "\": use 1..64 of [a-z0-9_.]");
        if (a.value.size() > state::kEventValueMax)
            return Unexpected("attribute value of \"" + a.key + "\" is longer than 1024 bytes");
    }
    EventFilter f;
    f.types = std::move(types);
    f.attributes = std::move(attributes);
    return f;
}

bool EventFilter::matches(const state::Event& e) const {
    if (!types.empty() && std::find(types.begin(), types.end(), e.type) == types.end()) return false;
    for (const auto& want : attributes) {
        const bool found = std::any_of(e.attributes.begin(), e.attributes.end(), [&](const state::EventAttribute& a) {
            return a.key == want.key && a.value == want.value;
        });
        if (!found) return false;
    }
    return true;
}

}  // namespace agora::node
