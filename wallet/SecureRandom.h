#pragma once
// Bytes from the operating system's CSPRNG (getrandom(2)). Never seeded by
// the process, never a userspace PRNG. Aborts only if the kernel refuses
// entropy outright, which no caller could recover from.

#include <array>
#include <cstdint>
#include <span>

namespace agora::wallet {

void fillSecureRandom(std::span<std::uint8_t> out);

template <std::size_t N>
std::array<std::uint8_t, N> secureRandomArray() {
    std::array<std::uint8_t, N> a{};
    fillSecureRandom(a);
    return a;
}

}  // namespace agora::wallet
