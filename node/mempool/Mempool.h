#pragma once
// Mempool: signed txs waiting for a block.
//
//  - Admission decodes the tx, runs the ledger's stateless check with the
//    signature verified once (and remembered in the SignatureCache for block
//    execution), then checks the nonce and fee against the account's
//    committed state plus the txs already pending from that account.
//  - Per account, pending txs form a gap-free nonce sequence starting at the
//    account's next nonce. A tx for an already pending nonce replaces it only
//    with a fee at least 10% higher.
//  - Bounded by tx count, total bytes and txs per account. When full, the
//    lowest fee-rate tx that is last in its account's sequence is evicted if
//    the newcomer pays a strictly higher fee rate; otherwise the newcomer is
//    rejected with MempoolFull.
//  - reap() returns txs for a block by fee rate (fee per byte, compared in
//    integers) while keeping each account's nonce order.
//  - update() after a block removes included txs and re-checks the rest
//    against the new state.
// Thread-safe: RPC threads admit while the consensus thread reaps/updates.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "consensus/core/Address.h"
#include "consensus/core/Amount.h"
#include "consensus/core/Hash256.h"
#include "consensus/core/Tx.h"
#include "node/mempool/SignatureCache.h"

namespace agora::node {

// What the mempool needs from the ledger; the node adapts contracts::Ledger.
class MempoolLedgerView {
public:
    struct Account {
        std::uint64_t nextNonce = 0;
        Amount balance;
    };
    struct CheckResult {
        std::uint16_t code = 0;  // ledger result code (docs/ledger.md), 0 = ok
        std::string message;
    };
    virtual ~MempoolLedgerView() = default;
    // Stateless check of a decoded tx whose signature is already verified.
    virtual CheckResult check(const SignedTx& tx) const = 0;
    virtual Account account(const Address& address) const = 0;
    virtual Amount minFee(const Tx& tx) const = 0;
};

// Admission codes. Ledger codes (< 500) pass through unchanged; the mempool's
// own codes are stable and never renumbered.
enum class AdmitCode : std::uint16_t {
    Ok = 0,
    // ledger codes 1..499 pass through (e.g. 105 bad signature, 200 bad nonce)
    Malformed = 500,               // bytes do not decode (canonical codec)
    Duplicate = 501,               // already pending
    MempoolFull = 502,             // full and the fee rate is not above the lowest evictable
    AccountFull = 503,             // too many pending txs from this account
    NonceTooLow = 504,             // nonce below the account's next nonce
    NonceGap = 505,                // nonce beyond the pending sequence
    ReplacementUnderpriced = 506,  // same nonce pending with a fee within 10%
    FeeTooLow = 507,               // below the minimum fee
    InsufficientBalance = 508,     // balance does not cover the pending fees
    BadSignature = 509,            // signature does not verify
};

struct AdmitResult {
    std::uint16_t code = 0;
    std::string message;
    Hash256 txHash;
    bool ok() const { return code == 0; }
};

struct MempoolLimits {
    std::size_t maxTxs = 20'000;
    std::size_t maxBytes = 128 * 1024 * 1024;
    std::size_t maxTxsPerAccount = 256;
};

class Mempool {
public:
    struct Entry {
        TxRef tx;  // decoded and hashed once, at admission; proposals carry it on
        Address sender;
        std::uint64_t seq = 0;  // admission order, breaks fee-rate ties (first come first served)
    };

    Mempool(MempoolLimits limits, std::shared_ptr<SignatureCache> sigCache);

    // origin: who sent the tx, handed to the admitted hook (p2p: the peer's
    // connection id, not relayed back to it; 0 = a local client).
    AdmitResult add(TxRef tx, const MempoolLedgerView& ledger, std::uint64_t origin = 0);
    // Decodes, then add() (tests, tools).
    AdmitResult add(ByteSpan txBytes, const MempoolLedgerView& ledger, std::uint64_t origin = 0);
    // Called after each successful add(), outside the lock (p2p relays the tx).
    // Set once before the mempool is shared between threads.
    using AdmittedHook = std::function<void(const TxRef& tx, std::uint64_t origin)>;
    void setAdmittedHook(AdmittedHook hook) { onAdmitted_ = std::move(hook); }
    // Up to maxTxs / maxBytes txs for a block: highest fee rate first, nonce order per account.
    std::vector<std::shared_ptr<const Entry>> reap(std::size_t maxTxs, std::size_t maxBytes) const;
    // After a block commits: drop the included txs and re-check what remains.
    void update(const std::vector<Hash256>& committed, const MempoolLedgerView& ledger);

    bool contains(const Hash256& hash) const;
    std::size_t size() const;
    std::size_t bytes() const;
    std::size_t pendingFor(const Address& sender) const;
    // One past the highest nonce among sender's pending txs; nullopt when none.
    std::optional<std::uint64_t> pendingNextNonce(const Address& sender) const;

private:
    using EntryPtr = std::shared_ptr<Entry>;
    struct RateKey {  // orders by fee rate ascending, then newest first (evicted first)
        Amount fee;
        std::size_t size;
        std::uint64_t seq;
        bool operator<(const RateKey& o) const;
    };

    AdmitResult admit(const TxRef& tx, const MempoolLedgerView& ledger);
    void removeLocked(EntryPtr e);
    void refreshTailLocked(const Address& sender);
    static RateKey rateKey(const Entry& e) { return {e.tx->tx.body.fee, e.tx->bytes.size(), e.seq}; }

    MempoolLimits limits_;
    std::shared_ptr<SignatureCache> sigCache_;
    mutable std::mutex mu_;
    std::map<Hash256, EntryPtr> byHash_;
    std::map<Address, std::map<std::uint64_t, EntryPtr>> byAccount_;  // nonce -> entry
    std::map<RateKey, EntryPtr> evictable_;                           // the last pending tx of each account
    // Per sender, the nonce after its txs the last update() removed as
    // committed: admissions holding a ledger view older than that update
    // would otherwise see a gap (bounded by one block's senders).
    std::map<Address, std::uint64_t> committedNext_;
    std::size_t totalBytes_ = 0;
    std::uint64_t nextSeq_ = 0;
    AdmittedHook onAdmitted_;
};

// True when fee rate a (fee/size) is strictly lower than b, in integers.
bool feeRateLess(Amount feeA, std::size_t sizeA, Amount feeB, std::size_t sizeB);

}  // namespace agora::node
