#include "node/p2p/BanList.h"

#include <algorithm>

namespace agora::node {

std::chrono::milliseconds BanList::banFor(std::uint32_t offences) const {
    // 2^16 bans are far past any cap; the shift stays in range.
    const std::uint32_t doublings = std::min<std::uint32_t>(offences == 0 ? 0 : offences - 1, 16);
    const std::chrono::milliseconds ban = banBase_ * (std::int64_t{1} << doublings);
    return ban > banMax_ ? banMax_ : ban;
}

std::chrono::milliseconds BanList::punish(const std::string& nodeId, Clock::time_point now) {
    auto& r = records_[nodeId];
    ++r.offences;
    const auto ban = banFor(r.offences);
    r.bannedUntil = now + ban;
    return ban;
}

bool BanList::banned(const std::string& nodeId, Clock::time_point now) const {
    auto it = records_.find(nodeId);
    return it != records_.end() && now < it->second.bannedUntil;
}

std::uint32_t BanList::offences(const std::string& nodeId) const {
    auto it = records_.find(nodeId);
    return it == records_.end() ? 0 : it->second.offences;
}

}  // namespace agora::node
