#pragma once
// Best-effort erasure of secret buffers before they are freed. The volatile
// writes keep the compiler from removing the stores as dead.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace agora::wallet {

inline void wipe(void* p, std::size_t n) {
    volatile auto* b = static_cast<volatile std::uint8_t*>(p);
    for (std::size_t i = 0; i < n; ++i) b[i] = 0;
}
inline void wipe(std::string& s) {
    wipe(s.data(), s.size());
    s.clear();
}
inline void wipe(std::vector<std::uint8_t>& v) {
    wipe(v.data(), v.size());
    v.clear();
}

}  // namespace agora::wallet
