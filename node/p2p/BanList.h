#pragma once
// BanList: offences recorded against peer node ids and the bans they earn
// (docs/p2p.md, "Scoring"). The n-th offence bans the id for
// banBase * 2^(n-1), at most banMax; a ban ends by itself when `now` passes
// it, the offence count stays (the next ban is longer).
//
// Pure: no clock inside, every query takes `now`, so tests step time by hand.
// Not thread-safe: the owner (PeerManager) calls it under its own lock.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace agora::node {

class BanList {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::chrono::milliseconds kBanMax = std::chrono::minutes(10);

    explicit BanList(std::chrono::milliseconds banBase, std::chrono::milliseconds banMax = kBanMax)
        : banBase_(banBase), banMax_(banMax) {}

    // Records one more offence by `nodeId` at `now`; the ban it earned.
    std::chrono::milliseconds punish(const std::string& nodeId, Clock::time_point now);
    bool banned(const std::string& nodeId, Clock::time_point now) const;
    std::uint32_t offences(const std::string& nodeId) const;

    // The ban the `offences`-th offence earns (offences >= 1).
    std::chrono::milliseconds banFor(std::uint32_t offences) const;

private:
    struct Record {
        std::uint32_t offences = 0;
        Clock::time_point bannedUntil{};
    };
    std::chrono::milliseconds banBase_;
    std::chrono::milliseconds banMax_;
    std::map<std::string, Record> records_;
};

}  // namespace agora::node
