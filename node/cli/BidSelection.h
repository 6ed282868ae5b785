#pragma once
// Which bid `agora deploy` accepts: a pure choice over the open bids it saw,
// kept apart from the streaming so the policy is tested on its own
// (test/node/cli/BidSelectionTest.cpp, docs/deploy.md "Selection").

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "consensus/core/Amount.h"

namespace agora::node::cli {

enum class SelectionPolicy : std::uint8_t {
    Cheapest = 0,    // lowest price per block; tie -> lower bid id
    Reputation = 1,  // highest provider score; tie -> cheaper; tie -> lower bid id
};

std::optional<SelectionPolicy> parseSelectionPolicy(std::string_view text);  // "cheapest" | "reputation"
std::string_view selectionPolicyName(SelectionPolicy p);

struct BidCandidate {
    std::uint64_t bidId = 0;
    std::string provider;  // bech32
    Amount pricePerSecond;
    std::uint32_t reputationScore = 0;  // ppm, as QueryService.Reputation reports it
};

// The index of the bid to accept, nullopt when there is none. The order is
// total (bid ids are unique), so the result does not depend on arrival order.
std::optional<std::size_t> selectBid(std::span<const BidCandidate> bids, SelectionPolicy policy);

// True when `a` is preferred over `b` under `policy`.
bool preferredBid(const BidCandidate& a, const BidCandidate& b, SelectionPolicy policy);

}  // namespace agora::node::cli
