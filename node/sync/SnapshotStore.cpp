#include "node/sync/SnapshotStore.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <system_error>

#include "node/base/Logging.h"

namespace agora::node {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kTmpPrefix = "tmp-";

std::optional<Bytes> readFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return std::nullopt;
    Bytes out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return std::nullopt;
    return out;
}

Expected<void, std::string> writeFile(const fs::path& p, const Bytes& data) {
    std::FILE* f = std::fopen(p.c_str(), "wb");
    if (f == nullptr) return Unexpected("cannot create " + p.string());
    const bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size() && std::fflush(f) == 0;
    if (std::fclose(f) != 0 || !ok) return Unexpected("cannot write " + p.string());
    return {};
}

// Folder names are the height, zero-padded, so they sort by height.
std::optional<std::uint64_t> heightOf(const std::string& name) {
    if (name.size() != 20 || !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    return std::stoull(name);
}

}  // namespace

Expected<std::unique_ptr<SnapshotStore>, std::string> SnapshotStore::open(fs::path dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Unexpected("snapshots: cannot create " + dir.string() + ": " + ec.message());
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (entry.path().filename().string().starts_with(kTmpPrefix)) fs::remove_all(entry.path(), ec);
    }
    if (ec) return Unexpected("snapshots: cannot read " + dir.string() + ": " + ec.message());
    return std::unique_ptr<SnapshotStore>(new SnapshotStore(std::move(dir)));
}

fs::path SnapshotStore::folderOf(std::uint64_t height) const {
    char name[21];
    std::snprintf(name, sizeof name, "%020llu", static_cast<unsigned long long>(height));
    return dir_ / name;
}

std::vector<std::uint64_t> SnapshotStore::heightsNewestFirst() const {
    std::vector<std::uint64_t> heights;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_, ec))
        if (auto h = heightOf(entry.path().filename().string())) heights.push_back(*h);
    std::sort(heights.rbegin(), heights.rend());
    return heights;
}

std::vector<SnapshotManifest> SnapshotStore::list() const {
    std::vector<std::uint64_t> heights;
    {
        std::lock_guard lock(mu_);
        heights = heightsNewestFirst();
    }
    std::vector<SnapshotManifest> out;
    for (auto h : heights)
        if (auto m = manifest(h)) out.push_back(std::move(*m));
    return out;
}

std::optional<SnapshotManifest> SnapshotStore::manifest(std::uint64_t height) const {
    auto bytes = readFile(folderOf(height) / "manifest");
    if (!bytes) return std::nullopt;
    auto m = decode<SnapshotManifest>(*bytes);
    if (!m || m->height != height) {
        moduleLog("statesync")->warn("snapshot {}: manifest does not decode; skipped", height);
        return std::nullopt;
    }
    return *m;
}

std::optional<Bytes> SnapshotStore::readChunk(std::uint64_t height, std::uint32_t index) const {
    if (index >= (std::uint32_t{1} << state::kChunkDepthMax)) return std::nullopt;
    return readFile(folderOf(height) / ("chunk-" + std::to_string(index)));
}

Expected<void, std::string> SnapshotStore::write(const SnapshotManifest& manifest, const std::vector<Bytes>& chunks) {
    if (chunks.size() != manifest.chunkCount()) return Unexpected(std::string("snapshot: chunk count mismatch"));
    const fs::path final = folderOf(manifest.height);
    const fs::path tmp = dir_ / (std::string(kTmpPrefix) + final.filename().string());
    std::error_code ec;
    fs::remove_all(tmp, ec);
    fs::create_directory(tmp, ec);
    if (ec) return Unexpected("snapshot: cannot create " + tmp.string() + ": " + ec.message());
    for (std::size_t i = 0; i < chunks.size(); ++i) {
        auto ok = writeFile(tmp / ("chunk-" + std::to_string(i)), chunks[i]);
        if (!ok) return ok;
    }
    auto ok = writeFile(tmp / "manifest", encode(manifest));
    if (!ok) return ok;
    std::lock_guard lock(mu_);
    fs::remove_all(final, ec);
    fs::rename(tmp, final, ec);
    if (ec) return Unexpected("snapshot: cannot publish " + final.string() + ": " + ec.message());
    return {};
}

void SnapshotStore::keepNewest(std::size_t keep) {
    std::lock_guard lock(mu_);
    const auto heights = heightsNewestFirst();
    std::error_code ec;
    for (std::size_t i = keep; i < heights.size(); ++i) fs::remove_all(folderOf(heights[i]), ec);
}

}  // namespace agora::node
