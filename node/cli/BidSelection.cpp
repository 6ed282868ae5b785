#include "node/cli/BidSelection.h"

namespace agora::node::cli {

std::optional<SelectionPolicy> parseSelectionPolicy(std::string_view text) {
    if (text == "cheapest") return SelectionPolicy::Cheapest;
    if (text == "reputation") return SelectionPolicy::Reputation;
    return std::nullopt;
}

std::string_view selectionPolicyName(SelectionPolicy p) {
    switch (p) {
        case SelectionPolicy::Cheapest:
            return "cheapest";
        case SelectionPolicy::Reputation:
            return "reputation";
    }
    return "unknown";
}

bool preferredBid(const BidCandidate& a, const BidCandidate& b, SelectionPolicy policy) {
    switch (policy) {
        case SelectionPolicy::Cheapest:
            break;
        case SelectionPolicy::Reputation:
            if (a.reputationScore != b.reputationScore) return a.reputationScore > b.reputationScore;
            break;
    }
    if (a.pricePerSecond != b.pricePerSecond) return a.pricePerSecond < b.pricePerSecond;
    return a.bidId < b.bidId;
}

std::optional<std::size_t> selectBid(std::span<const BidCandidate> bids, SelectionPolicy policy) {
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < bids.size(); ++i) {
        if (!best || preferredBid(bids[i], bids[*best], policy)) best = i;
    }
    return best;
}

}  // namespace agora::node::cli
