#pragma once
// The ledger's lease accrual as a pure function: Leases::accrue applies it to
// a lease it touches; readers (the escrow query, node/query/StateQueries)
// apply it to a copy, so the two cannot disagree on what a lease owes.
//
// The lease clock is block time (BlockContext::time, the header's ms), priced
// per whole second: a lease owes price x floor((t - start_time) / 1000) at
// block time t. paid_through moves by whole seconds only, so the sub-second
// rest carries to the next accrual and the total never depends on how often
// the lease is touched or how many blocks were made.

#include <cstdint>

#include "contracts/Leases.h"

namespace agora::contracts {

inline constexpr std::uint64_t kMsPerSecond = 1'000;

// Brings an Active lease's accrual up to min(time, end time): for each whole
// second since paid_through that the escrow still covers, price_per_second
// moves from escrow to accrued and paid_through advances one second. Escrow
// below one second's price stays (refunded at settlement). Other states, or a
// time less than a second past paid_through, leave the lease unchanged.
void accrueTo(Lease& l, std::uint64_t timeMs);

// The block time (ms) up to which the escrow pays: paid_through + the whole
// seconds it covers, bounded by the end time (saturating).
std::uint64_t paidUntil(const Lease& l);

// `seconds` in ms, saturating at UINT64_MAX.
std::uint64_t secondsToMs(std::uint64_t seconds);
// t + seconds in ms, saturating.
std::uint64_t addSeconds(std::uint64_t timeMs, std::uint64_t seconds);

}  // namespace agora::contracts
