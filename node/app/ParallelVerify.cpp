#include "node/app/ParallelVerify.h"

#include <algorithm>
#include <thread>

namespace agora::node {

std::vector<bool> verifyInParallel(std::span<const SignedTx* const> txs, unsigned threads) {
    // vector<bool> packs bits: threads writing neighbours would race, so each
    // thread fills its own bytes and the result is converted at the end.
    std::vector<std::uint8_t> ok(txs.size(), 0);
    if (threads == 0) threads = std::max(1U, std::thread::hardware_concurrency());
    const std::size_t n = txs.size();
    const std::size_t workers = n < kParallelVerifyMin ? 1 : std::min<std::size_t>(threads, n);
    auto work = [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) ok[i] = txs[i]->verifySignature() ? 1 : 0;
    };
    if (workers <= 1) {
        work(0, n);
    } else {
        std::vector<std::thread> pool;
        pool.reserve(workers - 1);
        const std::size_t chunk = (n + workers - 1) / workers;
        for (std::size_t w = 1; w < workers; ++w) {
            const std::size_t begin = std::min(n, w * chunk);
            pool.emplace_back(work, begin, std::min(n, begin + chunk));
        }
        work(0, std::min(n, chunk));
        for (auto& t : pool) t.join();
    }
    return std::vector<bool>(ok.begin(), ok.end());
}

}  // namespace agora::node
