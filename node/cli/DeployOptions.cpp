#include "node/cli/DeployOptions.h"

#include <map>

namespace agora::node::cli {

namespace {

Expected<Amount, std::string> amountFlag(const std::string& text, const std::string& what, bool allowZero) {
    auto a = Amount::parse(text);
    if (!a) return Unexpected(what + ": '" + text + "' is not an amount (e.g. 1500000, 1500000uagr or 1.5agr)");
    if (!allowZero && a->isZero()) return Unexpected(what + " must be positive");
    return *a;
}

}  // namespace

Expected<std::vector<Attribute>, std::string> parseConstraints(const std::vector<std::string>& items,
                                                               const std::string& what) {
    std::map<std::string, std::string> sorted;
    for (const auto& item : items) {
        const auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0) return Unexpected(what + " takes KEY=VALUE, got '" + item + "'");
        if (!sorted.emplace(item.substr(0, eq), item.substr(eq + 1)).second)
            return Unexpected(what + ": key '" + item.substr(0, eq) + "' given twice");
    }
    std::vector<Attribute> out;
    for (auto& [k, v] : sorted) out.push_back({k, v});
    return out;
}

Expected<DeployPlan, std::string> planDeploy(const DeployFlags& f) {
    DeployPlan p;
    if (f.from.empty()) return Unexpected(std::string("--from KEY is required (the client key that pays and signs)"));
    if (f.durationSeconds == 0) return Unexpected(std::string("--duration must be at least 1 second"));
    if (f.biddingWindowBlocks == 0) return Unexpected(std::string("--bidding-window must be at least 1 block"));
    if (f.bidWaitSeconds == 0) return Unexpected(std::string("--bid-wait must be at least 1 second"));
    if (f.rating < 1 || f.rating > 5) return Unexpected(std::string("--rating must be 1..5"));
    if (f.minReputation > 1'000'000) return Unexpected(std::string("--min-reputation is in ppm: 0..1000000"));
    if (f.gatewayWaitSeconds == 0 || f.startTimeoutSeconds == 0 || f.closeTimeoutSeconds == 0)
        return Unexpected(std::string("--gateway-wait, --start-timeout and --close-timeout must be positive"));
    auto policy = parseSelectionPolicy(f.select);
    if (!policy) return Unexpected("--select must be cheapest or reputation, got '" + f.select + "'");
    auto maxPrice = amountFlag(f.maxPrice, "--max-price", false);
    if (!maxPrice) return Unexpected(maxPrice.error());
    auto deposit = amountFlag(f.deposit, "--deposit", false);
    if (!deposit) return Unexpected(deposit.error());
    auto fee = amountFlag(f.fees, "--fees", true);
    if (!fee) return Unexpected(fee.error());
    auto constraints = parseConstraints(f.constraints, "--constraint");
    if (!constraints) return Unexpected(constraints.error());
    // The ledger's own rule (DepositBelowMaxCost), checked here so it costs no fee.
    const auto maxCost = maxPrice->checkedMul(f.durationSeconds);
    if (!maxCost) return Unexpected(std::string("--max-price x --duration overflows"));
    if (*deposit < *maxCost)
        return Unexpected("--deposit " + deposit->toString() +
                          " uagr is below --max-price x --duration = " + maxCost->toString() + " uagr");
    p.durationSeconds = f.durationSeconds;
    p.maxPricePerSecond = *maxPrice;
    p.deposit = *deposit;
    p.fee = *fee;
    p.policy = *policy;
    p.bidWaitSeconds = f.bidWaitSeconds;
    p.firstBidWaitSeconds = f.firstBidWaitSeconds == 0 ? f.bidWaitSeconds : f.firstBidWaitSeconds;
    p.biddingWindowBlocks = f.biddingWindowBlocks;
    p.constraints = std::move(*constraints);
    p.minReputation = f.minReputation;
    p.follow = f.follow;
    p.rating = static_cast<std::uint8_t>(f.rating);
    p.settle = !f.noSettle;
    p.gatewayWaitSeconds = f.gatewayWaitSeconds;
    p.startTimeoutSeconds = f.startTimeoutSeconds;
    p.closeTimeoutSeconds = f.closeTimeoutSeconds;
    return p;
}

}  // namespace agora::node::cli
