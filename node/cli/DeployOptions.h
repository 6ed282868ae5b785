#pragma once
// The flags of `agora deploy` as typed, and their validated form. Validation
// is pure and runs before anything is signed or sent, so a bad flag never
// costs a fee or locks a deposit (docs/deploy.md lists every flag).

#include <cstdint>
#include <string>
#include <vector>

#include "consensus/core/Amount.h"
#include "consensus/core/Expected.h"
#include "consensus/core/MarketTypes.h"
#include "node/cli/BidSelection.h"

namespace agora::node::cli {

struct DeployFlags {
    std::string file;
    std::string from;
    std::uint64_t durationSeconds = 0;
    std::string maxPrice;
    std::string deposit;
    std::string fees = "1000";
    std::string select = "cheapest";
    std::uint32_t bidWaitSeconds = 30;
    std::uint32_t firstBidWaitSeconds = 0;  // 0: --bid-wait
    std::uint64_t biddingWindowBlocks = 20;
    std::vector<std::string> constraints;  // KEY=VALUE
    std::uint32_t minReputation = 0;       // ppm
    bool follow = false;
    std::uint32_t rating = 5;
    bool noSettle = false;
    std::uint32_t gatewayWaitSeconds = 60;    // SendManifest retries while the agent catches up
    std::uint32_t startTimeoutSeconds = 300;  // until the workload runs or ends
    std::uint32_t closeTimeoutSeconds = 120;  // until the lease is closed on chain
};

struct DeployPlan {
    std::uint64_t durationSeconds = 0;
    Amount maxPricePerSecond;
    Amount deposit;
    Amount fee;
    SelectionPolicy policy = SelectionPolicy::Cheapest;
    std::uint32_t bidWaitSeconds = 0;       // collecting after the first bid
    std::uint32_t firstBidWaitSeconds = 0;  // waiting for a first bid
    std::uint64_t biddingWindowBlocks = 0;
    std::vector<Attribute> constraints;  // sorted by key
    std::uint32_t minReputation = 0;
    bool follow = false;
    std::uint8_t rating = 5;
    bool settle = true;
    std::uint32_t gatewayWaitSeconds = 0;
    std::uint32_t startTimeoutSeconds = 0;
    std::uint32_t closeTimeoutSeconds = 0;
};

// The message names the flag ("--deposit 1000 is below --max-price x --duration = 2000").
Expected<DeployPlan, std::string> planDeploy(const DeployFlags& flags);

// "k=v" items, sorted by key (the codec's order); duplicate or empty keys are errors.
Expected<std::vector<Attribute>, std::string> parseConstraints(const std::vector<std::string>& items,
                                                               const std::string& what);

}  // namespace agora::node::cli
