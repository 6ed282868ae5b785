#include "node/sync/BlockSyncer.h"

#include <algorithm>
#include <future>

#include "node/base/Logging.h"

namespace agora::node {

namespace {
std::shared_ptr<spdlog::logger> log() {
    return moduleLog("sync");
}
Unexpected<std::string> fail(std::string m) {
    return Unexpected(std::move(m));
}
}  // namespace

BlockSyncer::BlockSyncer(Application& app, BlockSourceFactory factory, BlockSyncOptions options,
                         CommitCallback onCommit)
    : app_(app),
      factory_(std::move(factory)),
      options_(options),
      onCommit_(std::move(onCommit)),
      genesisHash_(app.genesis().hash()) {
    if (options_.batchBlocks == 0) options_.batchBlocks = 1;
}

void BlockSyncer::setPeers(const std::vector<std::string>& addresses) {
    std::lock_guard lock(mu_);
    peers_.clear();
    for (const auto& a : addresses)
        if (std::find(peers_.begin(), peers_.end(), a) == peers_.end()) peers_.push_back(a);
}

void BlockSyncer::addPeers(const std::vector<std::string>& addresses) {
    std::lock_guard lock(mu_);
    for (const auto& a : addresses)
        if (std::find(peers_.begin(), peers_.end(), a) == peers_.end()) peers_.push_back(a);
}

std::vector<std::string> BlockSyncer::peers() const {
    std::lock_guard lock(mu_);
    return peers_;
}

BlockSource& BlockSyncer::sourceFor(const std::string& address) {
    auto it = sources_.find(address);
    if (it == sources_.end()) it = sources_.emplace(address, std::shared_ptr<BlockSource>(factory_(address))).first;
    return *it->second;
}

std::vector<BlockSyncer::PeerInfo> BlockSyncer::pollPeers(const std::set<std::string>& excluded) {
    std::vector<PeerInfo> out;
    for (const auto& address : peers()) {
        if (excluded.count(address) != 0) continue;
        auto st = sourceFor(address).status();
        if (!st) {
            log()->debug("peer {} did not answer: {}", address, st.error());
            continue;
        }
        if (st->chainId != app_.genesis().genesis.chainId || st->genesisHash != genesisHash_) {
            log()->warn("peer {} runs another chain ({}), ignored", address, st->chainId);
            continue;
        }
        out.push_back({address, *st});
    }
    return out;
}

std::uint64_t BlockSyncer::bestPeerHeight() {
    std::uint64_t best = 0;
    for (const auto& p : pollPeers({})) best = std::max(best, p.status.height);
    return best;
}

Expected<void, std::string> BlockSyncer::probe(const std::string& address, const consensus::ChainState& chain) {
    auto got = sourceFor(address).blocks(chain.height, 1);
    if (!got) return fail("no answer: " + got.error());
    if (got->empty() || got->front().height != chain.height) return fail("no block at that height");
    const auto& data = got->front();
    auto block = decodeBlock(data.block);
    if (!block) return fail("block does not decode: " + block.error().message());
    if (block->header.height != chain.height) return fail("block header names another height");
    auto cert =
        checkCertificate(app_.genesis().genesis.chainId, chain.height, block->id(), data.certificate, chain.validators);
    if (!cert) return fail(cert.error());
    return {};
}

std::uint64_t BlockSyncer::provenPeerHeight(std::uint64_t margin) {
    // One consistent read: the height we are at and the set that decides the next one.
    const consensus::ChainState chain = app_.chainState();
    const std::uint64_t local = chain.height - 1;
    auto peers = pollPeers({});
    std::sort(peers.begin(), peers.end(),
              [](const PeerInfo& a, const PeerInfo& b) { return a.status.height > b.status.height; });
    for (const auto& p : peers) {
        if (p.status.height <= local + margin) return p.status.height;  // nothing to prove: no resync
        auto ok = probe(p.address, chain);
        if (ok) return p.status.height;
        ++unprovenClaims_;
        log()->warn("peer {} claims height {} but serves no certified block {} (we are at {}): claim ignored: {}",
                    p.address, p.status.height, chain.height, local, ok.error());
    }
    return 0;
}

Expected<CommitCertificate, std::string> BlockSyncer::checkCertificate(std::string_view chainId, std::uint64_t height,
                                                                       const Hash256& blockId, ByteSpan certificate,
                                                                       const ValidatorSet& set) {
    auto cert = decode<CommitCertificate>(certificate);
    if (!cert) return fail("certificate does not decode: " + cert.error().message());
    if (cert->blockId != blockId) return fail("certificate is for another block");
    auto ok = cert->verify(chainId, height, set);
    if (!ok) return fail("certificate invalid: " + std::string(errorName(ok.error())));
    return *cert;
}

Expected<CommitOutcome, std::string> BlockSyncer::applyBlock(const SyncedBlockData& data, bool durable) {
    const std::uint64_t height = app_.nextHeight();
    if (data.height != height)
        return fail("got height " + std::to_string(data.height) + ", expected " + std::to_string(height));
    auto block = decodeBlock(data.block);
    if (!block) return fail("block does not decode: " + block.error().message());
    if (block->header.height != height)
        return fail("block header names height " + std::to_string(block->header.height));
    const Hash256 id = block->id();
    // The set that decides `height` is the one in the chain state for it.
    auto cert =
        checkCertificate(app_.genesis().genesis.chainId, height, id, data.certificate, app_.chainState().validators);
    if (!cert) return fail(cert.error());
    if (auto ok = app_.validate(id, data.block); !ok) return fail("block invalid: " + ok.error());
    auto outcome = app_.commit(id, data.block, *cert,
                               durable ? Application::Durability::Synced : Application::Durability::Deferred);
    if (!outcome) return fail("commit failed: " + outcome.error());
    if (onCommit_) onCommit_(*outcome);
    return outcome;
}

SyncResult BlockSyncer::sync(const std::atomic<bool>& stop) {
    catchingUp_ = true;
    SyncResult result;
    std::set<std::string> dropped;
    while (!stop.load()) {
        auto peers = pollPeers(dropped);
        if (peers.empty()) break;
        const auto best = std::max_element(peers.begin(), peers.end(), [](const PeerInfo& a, const PeerInfo& b) {
            return a.status.height < b.status.height;
        });
        result.bestPeerHeight = std::max(result.bestPeerHeight, best->status.height);
        const std::uint64_t local = app_.lastHeight();
        if (best->status.height <= local + options_.maxBehind) break;
        const std::uint64_t from = app_.nextHeight();
        if (best->status.earliestHeight > from) {
            log()->warn("peer {} keeps blocks from {} only, we need {}", best->address, best->status.earliestHeight,
                        from);
            dropped.insert(best->address);
            continue;
        }
        log()->info("syncing from {} at height {}, peer at {}", best->address, from, best->status.height);
        BlockSource& source = sourceFor(best->address);
        const std::uint32_t batch = options_.batchBlocks;
        auto fetch = [&source, batch](std::uint64_t start) { return source.blocks(start, batch); };
        auto current = fetch(from);
        bool peerBad = false;
        while (!stop.load()) {
            if (!current) {
                log()->warn("peer {} failed to serve blocks: {}", best->address, current.error());
                peerBad = true;
                break;
            }
            if (current->empty()) {  // it advertised blocks it does not serve
                log()->warn("peer {} served no blocks from {}", best->address, app_.nextHeight());
                peerBad = true;
                break;
            }
            // Pipelining: the next batch is fetched while this one is applied.
            const std::uint64_t nextFrom = current->back().height + 1;
            std::future<Expected<std::vector<SyncedBlockData>, std::string>> next;
            if (nextFrom <= best->status.height) next = std::async(std::launch::async, fetch, nextFrom);
            for (std::size_t i = 0; i < current->size(); ++i) {
                const auto& b = (*current)[i];
                // One fsync per fetched batch: the last block's synced write
                // makes the deferred ones before it durable too. A stop
                // request also ends the batch with a synced block.
                const bool last = i + 1 == current->size() || stop.load();
                auto applied = applyBlock(b, last);
                if (!applied) {
                    log()->warn("dropping peer {}: height {}: {}", best->address, b.height, applied.error());
                    peerBad = true;
                    break;
                }
                ++result.applied;
                if (last && stop.load()) break;
            }
            if (peerBad || stop.load() || !next.valid()) {
                if (next.valid()) next.wait();
                break;
            }
            current = next.get();
        }
        if (peerBad) {
            dropped.insert(best->address);
            result.dropped.push_back(best->address);
            sources_.erase(best->address);
        }
    }
    if (result.applied > 0)
        log()->info("block sync applied {} blocks, now at height {}", result.applied, app_.lastHeight());
    catchingUp_ = false;
    return result;
}

}  // namespace agora::node
