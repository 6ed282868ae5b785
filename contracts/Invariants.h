#pragma once
// Ledger invariants, checked after every tx and block in tests (a full scan
// of state: O(state), never called by block execution).
//
//   supply:    minted - burned = balances + fee pool + validator tokens
//              + unbonding entries + provider stakes + open job deposits
//              + open bid deposits + lease escrow + lease accrued
//   per lease: deposited = escrow + accrued + paid_out + refunded
//              (so nothing is ever paid beyond the deposit); burned <= paid_out
//              (the take: burned went to the supply's burned, the rest to the provider)
//   capacity:  each provider's reserved resources and open-lease count equal
//              the sum over its non-closed leases; reserved <= capacity
//   indexes:   every open lease is in exactly the index its state says
//   bids:      each provider's bid commitment (0x35) equals the sum of its open
//              bids' job resources

#include <optional>
#include <string>

#include "consensus/state/StateView.h"

namespace agora::contracts {

// nullopt when every invariant holds, else a description of the first violation.
std::optional<std::string> checkInvariants(const state::StateReader& state);

}  // namespace agora::contracts
