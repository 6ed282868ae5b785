#pragma once
// Typed events emitted by the ledger for indexing and subscriptions. An event
// has a type ("lease_created") and an ordered list of attributes; order is
// part of the event (the canonical encoding keeps it). Values are text:
// decimal integers, bech32 addresses, snake_case enum names.
//
// Canonical encoding (consensus/core/Codec.h):
//   string(type) || varint(n) || n x (string(key) || string(value))

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/core/Bytes.h"
#include "consensus/core/Codec.h"

namespace agora::state {

struct EventAttribute {
    std::string key;
    std::string value;
    bool operator==(const EventAttribute&) const = default;
};

struct Event {
    std::string type;
    std::vector<EventAttribute> attributes;

    Event() = default;
    explicit Event(std::string eventType) : type(std::move(eventType)) {}

    Event& add(std::string key, std::string value);
    Event& add(std::string key, std::uint64_t value);
    // The value of the first attribute named key.
    std::optional<std::string> attr(std::string_view key) const;

    void encodeTo(Writer& w) const;
    static Event decodeFrom(Reader& r);
    bool operator==(const Event&) const = default;
};

inline constexpr std::size_t kEventTypeMax = 64;
inline constexpr std::size_t kEventAttributesMax = 64;
inline constexpr std::size_t kEventKeyMax = 64;
inline constexpr std::size_t kEventValueMax = 1024;

}  // namespace agora::state
