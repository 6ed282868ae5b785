#include "contracts/LeaseAccrual.h"

#include <algorithm>

namespace agora::contracts {

void accrueTo(Lease& l, std::uint64_t height) {
    const std::uint64_t to = std::min(height, l.endHeight);
    if (l.state != LeaseState::Active || to <= l.paidThrough) return;
    const std::uint64_t blocks = to - l.paidThrough;
    // Saturating: an overflowing product is certainly more than the escrow.
    const Amount owed = l.pricePerBlock.checkedMul(blocks).value_or(Amount(UINT64_MAX));
    const Amount cost = std::min(owed, l.escrow);
    l.escrow = *l.escrow.checkedSub(cost);
    l.accrued = *l.accrued.checkedAdd(cost);  // accrued + escrow never exceeds deposited
    l.paidThrough = to;
}

}  // namespace agora::contracts
