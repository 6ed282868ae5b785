// The state keys and values the state benchmarks fill their trees with
// (agora-state-bench, agora-statesync-bench): key i is spread over the key
// space the way hashed addresses would be.
#pragma once

#include <cstdint>

#include "consensus/core/Bytes.h"
#include "consensus/core/Codec.h"

namespace agora::bench {

inline Bytes keyOf(std::uint64_t i) {
    Writer w;
    w.u8(0x02);
    w.u64(i * 0x9E3779B97F4A7C15ULL);  // spread keys like addresses would be
    return w.take();
}

inline Bytes valueOf(std::uint64_t i, std::uint64_t v) {
    Writer w;
    w.u64(i);
    w.u64(v);
    return w.take();
}

}  // namespace agora::bench
