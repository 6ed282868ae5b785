// agora-state-bench: per-block commit time of the LevelDB state store for
// 1,000 writes into a tree of N existing keys. Prints one JSON line per size.
//
//   agora-state-bench --db DIR [--sizes 10000,1000000] [--blocks 20] [--writes 1000] [--cache on|off]
#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "BenchKeys.h"
#include "node/storage/LevelDbStateStore.h"
#include "support/TestRng.h"

using namespace agora;
using Clock = std::chrono::steady_clock;

namespace {

using bench::keyOf;
using bench::valueOf;

// CPU time of the committing thread: on a loaded machine wall time mostly
// measures waiting for a core, this measures the work.
double threadCpuMs() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
    std::string dbRoot;
    std::vector<std::uint64_t> sizes = {10'000, 1'000'000};
    std::uint64_t blocks = 20, writes = 1'000;
    bool noCache = false;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string f = argv[i], v = argv[i + 1];
        if (f == "--db")
            dbRoot = v;
        else if (f == "--blocks")
            blocks = std::stoull(v);
        else if (f == "--writes")
            writes = std::stoull(v);
        else if (f == "--cache")
            noCache = v == "off";
        else if (f == "--sizes") {
            sizes.clear();
            std::size_t start = 0;
            while (start < v.size()) {
                auto comma = v.find(',', start);
                sizes.push_back(std::stoull(v.substr(start, comma - start)));
                if (comma == std::string::npos) break;
                start = comma + 1;
            }
        }
    }
    if (dbRoot.empty()) {
        std::cerr << "usage: agora-state-bench --db DIR [--sizes 10000,1000000] [--blocks 20] [--writes 1000]\n";
        return 2;
    }
    for (const auto n : sizes) {
        const auto path = std::filesystem::path(dbRoot) / ("bench-" + std::to_string(n));
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path.parent_path());
        node::StateStoreOptions so{10};
        if (noCache) so.cachedTreeNodes = 0;
        auto opened = node::LevelDbStateStore::open(path.string(), so);
        if (!opened) {
            std::cerr << opened.error().message() << "\n";
            return 2;
        }
        std::unique_ptr<node::LevelDbStateStore> holder = std::move(*opened);
        auto& store = *holder;
        std::uint64_t version = 0;
        const auto fillStart = Clock::now();
        for (std::uint64_t i = 0; i < n;) {  // fill in blocks of up to 20,000 keys
            state::StateChanges changes;
            for (std::uint64_t k = 0; k < 20'000 && i < n; ++k, ++i) changes[keyOf(i)] = valueOf(i, 0);
            if (!store.commit(++version, changes)) return 2;
        }
        const double fillSec = std::chrono::duration<double>(Clock::now() - fillStart).count();
        test::TestRng rng(n);
        std::vector<double> ms, cpuMs;
        for (std::uint64_t b = 0; b < blocks; ++b) {
            state::StateChanges changes;
            for (std::uint64_t w = 0; w < writes; ++w) {
                // 80% updates of existing keys, 20% inserts of new keys.
                const std::uint64_t id = rng.chance(80) ? rng.below(n) : n + b * writes + w;
                changes[keyOf(id)] = valueOf(id, b + 1);
            }
            const auto t0 = Clock::now();
            const double c0 = threadCpuMs();
            if (!store.commit(++version, changes)) return 2;
            ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
            cpuMs.push_back(threadCpuMs() - c0);
        }
        std::sort(ms.begin(), ms.end());
        std::sort(cpuMs.begin(), cpuMs.end());
        std::cout << "{\"bench\":\"state_commit\",\"existing_keys\":" << n << ",\"writes_per_block\":" << writes
                  << ",\"blocks\":" << blocks << ",\"p50_ms\":" << ms[ms.size() / 2]
                  << ",\"p90_ms\":" << ms[ms.size() * 9 / 10] << ",\"max_ms\":" << ms.back()
                  << ",\"cpu_p50_ms\":" << cpuMs[cpuMs.size() / 2] << ",\"fill_seconds\":" << fillSec
                  << ",\"tree_node_cache\":" << (noCache ? "false" : "true") << "}" << std::endl;
        holder.reset();  // close LevelDB (and its compaction thread) before deleting its files
        std::filesystem::remove_all(path);
    }
    return 0;
}
