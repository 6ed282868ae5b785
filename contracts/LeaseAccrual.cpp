#include "contracts/LeaseAccrual.h"

#include <algorithm>

namespace agora::contracts {

std::uint64_t secondsToMs(std::uint64_t seconds) {
    std::uint64_t ms = 0;
    return __builtin_mul_overflow(seconds, kMsPerSecond, &ms) ? UINT64_MAX : ms;
}

std::uint64_t addSeconds(std::uint64_t timeMs, std::uint64_t seconds) {
    std::uint64_t t = 0;
    return __builtin_add_overflow(timeMs, secondsToMs(seconds), &t) ? UINT64_MAX : t;
}

void accrueTo(Lease& l, std::uint64_t timeMs) {
    const std::uint64_t to = std::min(timeMs, l.endTime);
    if (l.state != LeaseState::Active || to <= l.paidThrough || l.pricePerSecond.isZero()) return;
    const std::uint64_t elapsed = (to - l.paidThrough) / kMsPerSecond;
    const std::uint64_t covered = l.escrow.micro() / l.pricePerSecond.micro();
    const std::uint64_t seconds = std::min(elapsed, covered);
    if (seconds == 0) return;
    const Amount cost = *l.pricePerSecond.checkedMul(seconds);  // <= escrow, so no overflow
    l.escrow = *l.escrow.checkedSub(cost);
    l.accrued = *l.accrued.checkedAdd(cost);  // accrued + escrow never exceeds deposited
    l.paidThrough += seconds * kMsPerSecond;  // <= to
}

std::uint64_t paidUntil(const Lease& l) {
    if (l.pricePerSecond.isZero()) return l.endTime;
    return std::min(addSeconds(l.paidThrough, l.escrow.micro() / l.pricePerSecond.micro()), l.endTime);
}

}  // namespace agora::contracts
