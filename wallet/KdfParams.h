#pragma once
// scrypt cost parameters of a key file. N = 2^logN. Production files use
// logN 15, r 8, p 1 (32 MiB, ~0.1 s); tests may pass a lower logN. Reading a
// file accepts logN 1..20 and r*p within bounds so a hostile file cannot make
// the wallet allocate more than 1 GiB.

#include <cstdint>

namespace agora::wallet {

struct KdfParams {
    std::uint8_t logN = 15;
    std::uint32_t r = 8;
    std::uint32_t p = 1;

    static constexpr KdfParams production() { return KdfParams{}; }
    // Cheap parameters for tests only: never for real keys.
    static constexpr KdfParams fastForTests() { return KdfParams{10, 8, 1}; }

    std::uint64_t n() const { return std::uint64_t{1} << logN; }
    // logN in 1..20, r in 1..32, p in 1..16 and 128*r*N <= 1 GiB.
    bool isAcceptable() const {
        if (logN < 1 || logN > 20 || r < 1 || r > 32 || p < 1 || p > 16) return false;
        return 128ULL * r * n() <= (1ULL << 30);
    }
    bool operator==(const KdfParams&) const = default;
};

}  // namespace agora::wallet
