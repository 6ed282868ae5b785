#pragma once
// The ledger's lease accrual as a pure function: Leases::accrue applies it to
// a lease it touches; readers (the escrow query, node/query/StateQueries)
// apply it to a copy, so the two cannot disagree on what a lease owes.

#include <cstdint>

#include "contracts/Leases.h"

namespace agora::contracts {

// Brings an Active lease's accrual up to min(height, end height): price per
// block times the blocks since paid_through, at most the escrow, moves from
// escrow to accrued. Other states, or a height not past paid_through, leave
// the lease unchanged.
void accrueTo(Lease& l, std::uint64_t height);

}  // namespace agora::contracts
