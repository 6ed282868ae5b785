#pragma once
// How the agent prices a bid (docs/provider.md "Pricing"):
// - rates: the standing offer's rates x the job's resources x margin_bps / 10000;
// - script: an operator's executable gets the job as JSON on stdin and prints
//   the price per second (uagr) on stdout, as Akash's bid price script does. A
//   time-out, a non-zero exit or anything but an integer on stdout = no bid.
// The price is then capped by nothing: a price above the job's max is no bid.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "consensus/core/Amount.h"
#include "consensus/core/MarketTypes.h"

namespace agora::provider {

struct PriceQuote {
    std::optional<Amount> price;  // nullopt = no bid
    std::string reason;           // why not, for the log
};

class PricePolicy {
public:
    PricePolicy(PriceSchedule rates, std::uint32_t marginBps, std::string script, std::uint32_t scriptTimeoutMs);

    PriceQuote quote(const nlohmann::json& jobJson, const Resources& resources) const;
    const PriceSchedule& rates() const { return rates_; }

private:
    PriceQuote fromRates(const Resources& resources) const;
    PriceQuote fromScript(const nlohmann::json& jobJson) const;

    PriceSchedule rates_;
    std::uint32_t marginBps_;
    std::string script_;
    std::uint32_t timeoutMs_;
};

// Runs `argv` with `input` on stdin; the first `maxOutput` bytes of stdout,
// or nullopt on time-out (the child is killed) / spawn failure / non-zero exit.
std::optional<std::string> runWithTimeout(const std::string& program, const std::string& input, std::uint32_t timeoutMs,
                                          std::size_t maxOutput = 4096);

}  // namespace agora::provider
