#pragma once
// BlockSyncer: brings a node that is behind up to its peers (docs/sync.md).
//
// It asks every known peer for its status, picks the highest one that runs
// our chain (chain id and genesis hash), and fetches blocks from our next
// height in batches, one batch prefetched while the previous one is applied
// (at most two batches in memory). Each block is verified before it touches
// state:
//   - it decodes canonically, has the expected height, and its id is the
//     certificate's block id;
//   - the commit certificate carries valid precommit signatures of more than
//     2/3 of the voting power of the validator set OF THAT HEIGHT (the
//     Application's chain state: sets change with staking);
//   - Application::validate re-executes it (links, hashes, app_hash).
// Then Application::commit writes it and the commit callback runs (mempool,
// waiters, events). A peer that serves anything invalid is dropped for the
// rest of the sync and another peer is used.
//
// sync() stops when we are within `maxBehind` blocks of the best peer, when
// no usable peer is left, or when asked to stop. The caller guarantees that
// nothing else (the consensus driver) uses the Application meanwhile.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "consensus/core/CommitCertificate.h"
#include "node/app/Application.h"
#include "node/sync/BlockSource.h"

namespace agora::node {

struct BlockSyncOptions {
    std::uint32_t batchBlocks = 64;  // blocks asked for per request
    std::uint64_t maxBehind = 1;     // done when best peer height <= ours + maxBehind
};

struct SyncResult {
    std::uint64_t applied = 0;         // blocks committed by this sync
    std::uint64_t bestPeerHeight = 0;  // 0 when no peer answered
    std::vector<std::string> dropped;  // peers that served invalid data
};

class BlockSyncer {
public:
    using CommitCallback = std::function<void(const CommitOutcome&)>;

    BlockSyncer(Application& app, BlockSourceFactory factory, BlockSyncOptions options, CommitCallback onCommit);

    // Peers as "host:port" (any thread). setPeers replaces the configured
    // list; addPeers adds learned ones (the p2p layer calls it).
    void setPeers(const std::vector<std::string>& addresses);
    void addPeers(const std::vector<std::string>& addresses);
    std::vector<std::string> peers() const;

    // The highest height among reachable peers of our chain (0 = none).
    // Unverified: what the peers say.
    std::uint64_t bestPeerHeight();
    // The highest height a peer of our chain claims, where a claim above
    // our last height + `margin` counts only once that peer served the block
    // of our next height with a commit certificate that verifies against our
    // validator set for it: proof that a quorum decided a block we lack
    // (docs/sync.md, "Trusting a peer's height"). A peer that claims more
    // and cannot show it is ignored for this poll (unprovenClaims() counts
    // them). Reads the Application's chain state only: safe while the
    // consensus driver runs.
    std::uint64_t provenPeerHeight(std::uint64_t margin);
    std::uint64_t unprovenClaims() const { return unprovenClaims_.load(); }

    // Blocking; see the header comment.
    SyncResult sync(const std::atomic<bool>& stop);

    // True while sync() runs.
    bool catchingUp() const { return catchingUp_.load(); }

    // Checks the certificate bytes for block `blockId` at `height` against
    // the set of that height; returns the decoded certificate.
    static Expected<CommitCertificate, std::string> checkCertificate(std::string_view chainId, std::uint64_t height,
                                                                     const Hash256& blockId, ByteSpan certificate,
                                                                     const ValidatorSet& set);
    // Verifies and applies one block at the Application's next height.
    // durable: fsync this block's batch (the last block of a fetched batch);
    // the others are written without one (Application::Durability).
    Expected<CommitOutcome, std::string> applyBlock(const SyncedBlockData& data, bool durable = true);

private:
    struct PeerInfo {
        std::string address;
        SyncPeerStatus status;
    };
    BlockSource& sourceFor(const std::string& address);
    // Whether `address` serves the block of `chain.height` with a valid certificate.
    Expected<void, std::string> probe(const std::string& address, const consensus::ChainState& chain);
    std::vector<PeerInfo> pollPeers(const std::set<std::string>& excluded);

    Application& app_;
    BlockSourceFactory factory_;
    BlockSyncOptions options_;
    CommitCallback onCommit_;
    Hash256 genesisHash_;

    mutable std::mutex mu_;  // guards peers_
    std::vector<std::string> peers_;
    std::map<std::string, std::shared_ptr<BlockSource>> sources_;  // sync thread only
    std::atomic<bool> catchingUp_{false};
    std::atomic<std::uint64_t> unprovenClaims_{0};
};

}  // namespace agora::node
