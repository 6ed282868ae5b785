#pragma once
// SplitMix64: a tiny seeded generator for tests. Unlike <random>'s
// distributions its output is the same on every platform and library, so a
// printed seed replays exactly.

#include <cstdint>

namespace agora::test {

class TestRng {
public:
    explicit TestRng(std::uint64_t seed) : state_(seed) {}

    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    // Uniform enough in [0, n) for tests (n > 0).
    std::uint64_t below(std::uint64_t n) { return next() % n; }
    bool chance(std::uint64_t percent) { return below(100) < percent; }

private:
    std::uint64_t state_;
};

}  // namespace agora::test
