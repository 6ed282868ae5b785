#include "consensus/state/Event.h"

namespace agora::state {

Event& Event::add(std::string key, std::string value) {
    attributes.push_back(EventAttribute{std::move(key), std::move(value)});
    return *this;
}

Event& Event::add(std::string key, std::uint64_t value) {
    return add(std::move(key), std::to_string(value));
}

std::optional<std::string> Event::attr(std::string_view key) const {
    for (const auto& a : attributes)
        if (a.key == key) return a.value;
    return std::nullopt;
}

void Event::encodeTo(Writer& w) const {
    w.string(type);
    w.varint(attributes.size());
    for (const auto& a : attributes) {
        w.string(a.key);
        w.string(a.value);
    }
}

Event Event::decodeFrom(Reader& r) {
    Event e;
    e.type = r.string(kEventTypeMax, 1);
    const std::size_t n = r.count(kEventAttributesMax);
    for (std::size_t i = 0; i < n && r.ok(); ++i) {
        EventAttribute a;
        a.key = r.string(kEventKeyMax, 1);
        a.value = r.string(kEventValueMax);
        e.attributes.push_back(std::move(a));
    }
    return e;
}

}  // namespace agora::state
