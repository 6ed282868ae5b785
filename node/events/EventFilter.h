#pragma once
// A subscriber's filter: an event matches when its type is one of `types`
// (empty = any type) AND, for every (key, value) in `attributes`, the event
// has an attribute with that key and exactly that value. make() validates
// what a remote client sent; errors are user errors (INVALID_ARGUMENT).

#include <cstddef>
#include <string>
#include <vector>

#include "consensus/core/Expected.h"
#include "consensus/state/Event.h"

namespace agora::node {

inline constexpr std::size_t kFilterTypesMax = 32;
inline constexpr std::size_t kFilterAttributesMax = 16;

struct EventFilter {
    std::vector<std::string> types;
    std::vector<state::EventAttribute> attributes;

    // Types and keys: 1..64 chars of [a-z0-9_.]; values <= 1024 bytes;
    // at most kFilterTypesMax types and kFilterAttributesMax attributes.
    static Expected<EventFilter, std::string> make(std::vector<std::string> types,
                                                   std::vector<state::EventAttribute> attributes);
    bool matches(const state::Event& e) const;
};

}  // namespace agora::node
