#include "node/sync/StateSyncer.h"

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "consensus/state/StateChunk.h"
#include "node/base/Logging.h"
#include "node/chain/BlockStore.h"
#include "node/chain/RestoredBase.h"
#include "node/storage/KeySpace.h"
#include "node/storage/LevelDbStateStore.h"

namespace agora::node {

namespace {

Unexpected<std::string> fail(std::string m) {
    return Unexpected(std::move(m));
}

leveldb::Slice slice(const Bytes& b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace

Expected<ChainRecord, std::string> checkManifest(const SnapshotManifest& m, const Block& block,
                                                 const CommitCertificate& cert, std::string_view chainId) {
    const auto& h = block.header;
    const Hash256 id = block.id();
    if (m.height != h.height) return fail("manifest is of height " + std::to_string(m.height));
    if (m.blockId != id) return fail("manifest names block " + m.blockId.toHex());
    if (m.appHash != h.appHash) return fail("manifest app hash " + m.appHash.toHex() + " is not the block's");
    auto rec = decode<ChainRecord>(m.chainRecord);
    if (!rec) return fail("chain record does not decode: " + rec.error().message());
    if (rec->height != h.height || rec->blockId != id || rec->appHash != h.appHash || rec->timeMs != h.timeMs)
        return fail("chain record is not of the trusted block");
    if (validatorSetHash(rec->decidedBy) != h.validatorsHash)
        return fail("chain record's deciding set does not match the block's validators_hash");
    if (rec->next.height != h.height + 1 || validatorSetHash(rec->next.validators) != h.nextValidatorsHash)
        return fail("chain record's next set does not match the block's next_validators_hash");
    if (!rec->next.lastCommit || rec->next.lastCommit->blockId != id)
        return fail("chain record lacks the certificate of the trusted block");
    if (auto ok = rec->next.lastCommit->verify(chainId, h.height, rec->decidedBy); !ok)
        return fail("chain record's certificate: " + std::string(errorName(ok.error())));
    if (auto ok = cert.verify(chainId, h.height, rec->decidedBy); !ok)
        return fail("the block's certificate: " + std::string(errorName(ok.error())));
    return *rec;
}

StateSyncer::StateSyncer(std::string chainId, StateSyncTrust trust,
                         std::vector<std::unique_ptr<SnapshotSource>> sources)
    : chainId_(std::move(chainId)), trust_(trust), sources_(std::move(sources)) {}

Expected<RestoredSnapshot, std::string> StateSyncer::run() {
    auto log = moduleLog("statesync");
    const std::uint64_t H = trust_.height;
    RestoredSnapshot out;
    auto drop = [&](const SnapshotSource& s, const std::string& why) {
        log->warn("dropping peer {}: {}", s.address(), why);
        out.droppedPeers.push_back(s.address() + ": " + why);
    };

    // 1. Who has a snapshot at H.
    std::vector<std::pair<SnapshotSource*, SnapshotManifest>> offers;
    for (auto& s : sources_) {
        auto list = s->snapshots();
        if (!list) {
            log->info("peer {}: {}", s->address(), list.error());
            continue;
        }
        for (const auto& bytes : *list) {
            auto m = decode<SnapshotManifest>(bytes);
            if (m && m->height == H) {
                offers.emplace_back(s.get(), std::move(*m));
                break;
            }
        }
    }
    if (offers.empty()) return fail("no peer offers a snapshot at the trusted height " + std::to_string(H));

    // 2. The trusted block, from the first peer that serves the right one.
    bool haveBlock = false;
    for (auto& [s, m] : offers) {
        auto data = s->block(H);
        if (!data) {
            log->info("peer {}: {}", s->address(), data.error());
            continue;
        }
        auto block = decodeBlock(data->block);
        auto cert = decode<CommitCertificate>(data->certificate);
        if (!block || !cert) {
            drop(*s, "block " + std::to_string(H) + " or its certificate does not decode");
            continue;
        }
        if (block->id() != trust_.blockId) {
            drop(*s, "served block " + block->id().toHex() + " at the trusted height");
            continue;
        }
        if (cert->height != H || cert->blockId != trust_.blockId) {
            drop(*s, "served a certificate of another block");
            continue;
        }
        out.block = std::move(*block);
        out.certificate = std::move(*cert);
        haveBlock = true;
        break;
    }
    if (!haveBlock) return fail("no peer serves the trusted block " + trust_.blockId.toHex());

    // 3. Manifests that agree with the block; the most common depth wins.
    std::vector<SnapshotSource*> agreeing;
    std::map<std::uint8_t, std::size_t> depths;
    std::optional<ChainRecord> record;
    std::uint8_t depth = 0;
    for (auto& [s, m] : offers) {
        auto rec = checkManifest(m, out.block, out.certificate, chainId_);
        if (!rec) {
            drop(*s, "snapshot manifest: " + rec.error());
            continue;
        }
        if (!record) record = std::move(*rec);
        ++depths[m.depth];
    }
    if (!record) return fail("no peer's snapshot at height " + std::to_string(H) + " matches the trusted block");
    std::size_t best = 0;
    for (const auto& [d, n] : depths)
        if (n > best) {
            best = n;
            depth = d;
        }
    for (auto& [s, m] : offers)
        if (m.depth == depth && checkManifest(m, out.block, out.certificate, chainId_)) agreeing.push_back(s);
    out.record = std::move(*record);

    // 4. Chunks, in parallel from every agreeing peer.
    const std::uint32_t count = std::uint32_t{1} << depth;
    out.chunks = count;
    log->info("state sync: height {} from {} peer(s), {} chunks", H, agreeing.size(), count);
    std::mutex mu;
    // Every peer gets one chunk before any takes a second, so each serves
    // at least one when there are enough (a liar is found out, not skipped
    // by luck); after that whoever is free takes the next.
    std::deque<std::uint32_t> queue;
    for (std::uint32_t i = 0; i < count; ++i) queue.push_back(i);
    std::vector<std::optional<state::StateChunk>> chunks(count);
    std::vector<bool> alive(agreeing.size(), true);
    while (true) {
        std::vector<std::optional<std::uint32_t>> firstOf(agreeing.size());
        for (std::size_t p = 0; p < agreeing.size() && !queue.empty(); ++p) {
            if (!alive[p]) continue;
            firstOf[p] = queue.front();
            queue.pop_front();
        }
        std::vector<std::thread> workers;
        for (std::size_t p = 0; p < agreeing.size(); ++p) {
            if (!alive[p]) continue;
            workers.emplace_back([&, p] {
                SnapshotSource& src = *agreeing[p];
                std::optional<std::uint32_t> next = firstOf[p];
                for (;;) {
                    std::uint32_t index = 0;
                    if (next) {
                        index = *next;
                        next.reset();
                    } else {
                        std::lock_guard lock(mu);
                        if (queue.empty()) return;
                        index = queue.front();
                        queue.pop_front();
                    }
                    std::string why;
                    auto bytes = src.chunk(H, index);
                    if (bytes) {
                        auto chunk = decode<state::StateChunk>(*bytes);
                        if (!chunk) {
                            why = "chunk " + std::to_string(index) + " does not decode: " + chunk.error().message();
                        } else if (auto ok = state::verifyStateChunk(
                                       state::ChunkRequest{H, out.block.header.appHash, depth, index}, *chunk);
                                   !ok) {
                            why = "refused chunk " + std::to_string(index) + ": " + ok.error().message();
                        } else {
                            std::lock_guard lock(mu);
                            chunks[index] = std::move(*chunk);
                            continue;
                        }
                    } else {
                        why = "chunk " + std::to_string(index) + ": " + bytes.error();
                    }
                    std::lock_guard lock(mu);
                    queue.push_front(index);  // another peer fetches it
                    alive[p] = false;
                    drop(src, why);
                    return;
                }
            });
        }
        for (auto& w : workers) w.join();
        if (queue.empty()) break;
        if (workers.empty()) return fail("state sync: every peer was dropped with chunks still missing");
    }

    // 5. The state, from the verified chunks.
    for (auto& c : chunks)
        for (auto& e : c->entries) out.state.emplace(std::move(e.key), std::move(e.value));
    return out;
}

Expected<void, std::string> writeRestoredState(const std::shared_ptr<leveldb::DB>& db, const RestoredSnapshot& r) {
    const std::uint64_t H = r.block.header.height;
    auto store = LevelDbStateStore::attach(db);
    if (!store) return fail("state store: " + store.error().message());
    if ((*store)->latestVersion() != 0) return fail("state sync needs an empty database; this one has state");
    auto blocks = BlockStore::open(db);
    if (!blocks) return fail(blocks.error());
    if (blocks->latestHeight() != 0) return fail("state sync needs an empty database; this one has blocks");
    auto prepared = (*store)->prepare(H, r.state);
    if (!prepared) return fail("state: " + prepared.error().message());
    if (prepared->root != r.block.header.appHash)
        return fail("restored state has root " + prepared->root.toHex() + ", the block's app hash is " +
                    r.block.header.appHash.toHex());
    if (auto ok = stageRestoredBase(*blocks, prepared->extra, r.block, r.certificate); !ok) return fail(ok.error());
    const Bytes recordKey(1, keyspace::kChainRecord);
    const Bytes recordValue = encode(r.record);
    prepared->extra.Put(slice(recordKey), slice(recordValue));
    prepared->sync = true;
    auto written = (*store)->write(std::move(*prepared));
    if (!written) return fail("state sync: " + written.error().message());
    return {};
}

}  // namespace agora::node
