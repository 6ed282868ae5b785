#include "node/mempool/Mempool.h"

#include <algorithm>
#include <queue>

namespace agora::node {

namespace {
__extension__ using U128 = unsigned __int128;

AdmitResult fail(AdmitCode code, std::string message, const Hash256& hash = {}) {
    return {static_cast<std::uint16_t>(code), std::move(message), hash};
}
}  // namespace

bool feeRateLess(Amount feeA, std::size_t sizeA, Amount feeB, std::size_t sizeB) {
    return static_cast<U128>(feeA.micro()) * sizeB < static_cast<U128>(feeB.micro()) * sizeA;
}

bool Mempool::RateKey::operator<(const RateKey& o) const {
    if (feeRateLess(fee, size, o.fee, o.size)) return true;
    if (feeRateLess(o.fee, o.size, fee, size)) return false;
    return seq > o.seq;  // equal rates: the newest is evicted first
}

Mempool::Mempool(MempoolLimits limits, std::shared_ptr<SignatureCache> sigCache)
    : limits_(limits), sigCache_(std::move(sigCache)) {}

AdmitResult Mempool::add(ByteSpan txBytes, const MempoolLedgerView& ledger, std::uint64_t origin) {
    auto decoded = decodeTx(txBytes);
    if (!decoded) return fail(AdmitCode::Malformed, "malformed tx: " + decoded.error().message());
    return add(std::move(*decoded), ledger, origin);
}

AdmitResult Mempool::add(TxRef tx, const MempoolLedgerView& ledger, std::uint64_t origin) {
    auto result = admit(tx, ledger);
    if (result.ok() && onAdmitted_) onAdmitted_(tx, origin);
    return result;
}

AdmitResult Mempool::admit(const TxRef& decoded, const MempoolLedgerView& ledger) {
    auto entry = std::make_shared<Entry>();
    entry->tx = decoded;
    entry->sender = decoded->tx.body.signerAddress();
    const Hash256 hash = decoded->hash;

    if (contains(hash)) return fail(AdmitCode::Duplicate, "tx already in mempool", hash);
    // Verify outside the lock: it is the expensive part of admission.
    if (!sigCache_->isVerified(hash)) {
        if (!entry->tx->tx.verifySignature()) return fail(AdmitCode::BadSignature, "signature does not verify", hash);
        sigCache_->markVerified(hash);
    }
    const auto checked = ledger.check(entry->tx->tx);
    if (checked.code != 0) return {checked.code, checked.message, hash};

    std::lock_guard lock(mu_);
    if (byHash_.count(hash) != 0) return fail(AdmitCode::Duplicate, "tx already in mempool", hash);
    const Tx& tx = entry->tx->tx.body;
    const Amount minFee = ledger.minFee(tx);
    if (tx.fee < minFee)
        return fail(AdmitCode::FeeTooLow, "fee " + tx.fee.toString() + " below minimum " + minFee.toString(), hash);

    auto account = ledger.account(entry->sender);
    // The view may predate the last update(): its nonce then lags behind txs
    // that update() already removed as committed (found by the load generator
    // as spurious NonceGap refusals under load).
    if (const auto known = committedNext_.find(entry->sender); known != committedNext_.end())
        account.nextNonce = std::max(account.nextNonce, known->second);
    if (tx.nonce < account.nextNonce)
        return fail(AdmitCode::NonceTooLow,
                    "nonce " + std::to_string(tx.nonce) + " already used; next is " + std::to_string(account.nextNonce),
                    hash);
    static const std::map<std::uint64_t, EntryPtr> kNone;
    const auto accIt = byAccount_.find(entry->sender);
    const auto& pending = accIt == byAccount_.end() ? kNone : accIt->second;
    // Pending nonces are contiguous after update(); between a commit and the
    // next update() the account may already be ahead of the oldest ones.
    const std::uint64_t expected =
        pending.empty() ? account.nextNonce : std::max(account.nextNonce, pending.rbegin()->first + 1);
    EntryPtr replaced;
    if (tx.nonce < expected) {
        const auto found = pending.find(tx.nonce);
        if (found == pending.end())
            return fail(AdmitCode::NonceGap, "nonce " + std::to_string(tx.nonce) + " is not pending", hash);
        replaced = found->second;
        const U128 oldFee = replaced->tx->tx.body.fee.micro();
        if (static_cast<U128>(tx.fee.micro()) * 10 < oldFee * 11)
            return fail(AdmitCode::ReplacementUnderpriced,
                        "a tx with nonce " + std::to_string(tx.nonce) + " is pending; a replacement needs a fee >= " +
                            std::to_string(static_cast<std::uint64_t>((oldFee * 11 + 9) / 10)),
                        hash);
    } else if (tx.nonce > expected) {
        return fail(AdmitCode::NonceGap,
                    "nonce " + std::to_string(tx.nonce) + " leaves a gap; next expected is " + std::to_string(expected),
                    hash);
    } else if (pending.size() >= limits_.maxTxsPerAccount) {
        return fail(AdmitCode::AccountFull, "too many pending txs from this account", hash);
    }

    // The account's pending fees (with the replacement) must be covered by its balance.
    U128 fees = tx.fee.micro();
    for (const auto& [nonce, e] : pending)
        if (e != replaced) fees += e->tx->tx.body.fee.micro();
    if (fees > account.balance.micro()) {
        return fail(AdmitCode::InsufficientBalance, "balance does not cover the fees of pending txs", hash);
    }

    // Room: plan evictions of tails with a strictly lower fee rate, from other accounts.
    std::size_t count = byHash_.size() + (replaced ? 0 : 1);
    std::size_t total = totalBytes_ + entry->tx->bytes.size() - (replaced ? replaced->tx->bytes.size() : 0);
    std::vector<EntryPtr> victims;
    if (count > limits_.maxTxs || total > limits_.maxBytes) {
        // Candidates: current tails, plus the predecessors that become tails as we plan.
        std::map<RateKey, EntryPtr> extra;
        auto it = evictable_.begin();
        std::set<const Entry*> planned;
        while (count > limits_.maxTxs || total > limits_.maxBytes) {
            while (it != evictable_.end() && planned.count(it->second.get()) != 0) ++it;
            EntryPtr cand;
            bool fromExtra = false;
            if (!extra.empty() && (it == evictable_.end() || extra.begin()->first < it->first)) {
                cand = extra.begin()->second;
                fromExtra = true;
            } else if (it != evictable_.end()) {
                cand = it->second;
            }
            if (!cand || cand->sender == entry->sender ||
                !feeRateLess(cand->tx->tx.body.fee, cand->tx->bytes.size(), tx.fee, entry->tx->bytes.size()))
                return fail(AdmitCode::MempoolFull, "mempool is full; raise the fee to replace pending txs", hash);
            if (fromExtra)
                extra.erase(extra.begin());
            else
                ++it;
            planned.insert(cand.get());
            victims.push_back(cand);
            --count;
            total -= cand->tx->bytes.size();
            const auto& chain = byAccount_.at(cand->sender);
            auto pos = chain.find(cand->tx->tx.body.nonce);
            if (pos != chain.begin()) {
                const auto& prev = std::prev(pos)->second;
                extra.emplace(rateKey(*prev), prev);
            }
        }
    }
    for (const auto& v : victims) removeLocked(v);
    if (replaced) removeLocked(replaced);

    entry->seq = nextSeq_++;
    totalBytes_ += entry->tx->bytes.size();
    byHash_.emplace(hash, entry);
    byAccount_[entry->sender][tx.nonce] = entry;
    refreshTailLocked(entry->sender);
    return {0, "", hash};
}

void Mempool::removeLocked(EntryPtr e) {  // by value: erasing the map entry must not free e
    if (byHash_.erase(e->tx->hash) == 0) return;
    totalBytes_ -= e->tx->bytes.size();
    evictable_.erase(rateKey(*e));
    auto acc = byAccount_.find(e->sender);
    if (acc != byAccount_.end()) {
        auto pos = acc->second.find(e->tx->tx.body.nonce);
        if (pos != acc->second.end() && pos->second == e) acc->second.erase(pos);
        if (acc->second.empty())
            byAccount_.erase(acc);
        else
            refreshTailLocked(e->sender);
    }
}

void Mempool::refreshTailLocked(const Address& sender) {
    auto acc = byAccount_.find(sender);
    if (acc == byAccount_.end() || acc->second.empty()) return;
    // Only the highest nonce is evictable. Every change to a chain adds or
    // removes one entry, so only the tail and the entry before it can have
    // changed role: O(log n), not a walk over the account's pending txs.
    const auto tail = std::prev(acc->second.end());
    evictable_[rateKey(*tail->second)] = tail->second;
    if (tail != acc->second.begin()) evictable_.erase(rateKey(*std::prev(tail)->second));
}

std::vector<std::shared_ptr<const Mempool::Entry>> Mempool::reap(std::size_t maxTxs, std::size_t maxBytes) const {
    std::lock_guard lock(mu_);
    struct Head {
        EntryPtr entry;
        std::map<std::uint64_t, EntryPtr>::const_iterator next, end;
    };
    auto lower = [](const Head& a, const Head& b) {  // priority: higher rate, then earlier seq
        const auto& x = *a.entry;
        const auto& y = *b.entry;
        if (feeRateLess(x.tx->tx.body.fee, x.tx->bytes.size(), y.tx->tx.body.fee, y.tx->bytes.size())) return true;
        if (feeRateLess(y.tx->tx.body.fee, y.tx->bytes.size(), x.tx->tx.body.fee, x.tx->bytes.size())) return false;
        return x.seq > y.seq;
    };
    std::priority_queue<Head, std::vector<Head>, decltype(lower)> heads(lower);
    for (const auto& [addr, chain] : byAccount_) {
        auto it = chain.begin();
        heads.push({it->second, std::next(it), chain.end()});
    }
    std::vector<std::shared_ptr<const Entry>> out;
    std::size_t bytes = 0;
    while (!heads.empty() && out.size() < maxTxs) {
        Head h = heads.top();
        heads.pop();
        if (bytes + h.entry->tx->bytes.size() > maxBytes) continue;  // this account's later txs wait too
        bytes += h.entry->tx->bytes.size();
        out.push_back(h.entry);
        if (h.next != h.end) heads.push({h.next->second, std::next(h.next), h.end});
    }
    return out;
}

void Mempool::update(const std::vector<Hash256>& committed, const MempoolLedgerView& ledger) {
    std::lock_guard lock(mu_);
    committedNext_.clear();
    for (const auto& h : committed) {
        auto it = byHash_.find(h);
        if (it == byHash_.end()) continue;
        auto& next = committedNext_[it->second->sender];
        next = std::max(next, it->second->tx->tx.body.nonce + 1);
        removeLocked(it->second);
    }
    std::vector<Address> senders;
    senders.reserve(byAccount_.size());
    for (const auto& [addr, chain] : byAccount_) senders.push_back(addr);
    for (const auto& addr : senders) {
        const auto account = ledger.account(addr);
        auto acc = byAccount_.find(addr);
        if (acc == byAccount_.end()) continue;
        std::vector<EntryPtr> drop;
        std::uint64_t expect = account.nextNonce;
        U128 fees = 0;
        bool broken = false;
        for (const auto& [nonce, e] : acc->second) {
            if (nonce < account.nextNonce) {  // used by a tx committed from elsewhere
                drop.push_back(e);
                continue;
            }
            fees += e->tx->tx.body.fee.micro();
            if (broken || nonce != expect || fees > account.balance.micro() ||
                e->tx->tx.body.fee < ledger.minFee(e->tx->tx.body)) {
                broken = true;  // everything after a gap or an unaffordable fee goes too
                drop.push_back(e);
                continue;
            }
            ++expect;
        }
        for (const auto& e : drop) removeLocked(e);
    }
}

bool Mempool::contains(const Hash256& hash) const {
    std::lock_guard lock(mu_);
    return byHash_.count(hash) != 0;
}

std::size_t Mempool::size() const {
    std::lock_guard lock(mu_);
    return byHash_.size();
}

std::size_t Mempool::bytes() const {
    std::lock_guard lock(mu_);
    return totalBytes_;
}

std::size_t Mempool::pendingFor(const Address& sender) const {
    std::lock_guard lock(mu_);
    auto it = byAccount_.find(sender);
    return it == byAccount_.end() ? 0 : it->second.size();
}

std::optional<std::uint64_t> Mempool::pendingNextNonce(const Address& sender) const {
    std::lock_guard lock(mu_);
    auto it = byAccount_.find(sender);
    if (it == byAccount_.end() || it->second.empty()) return std::nullopt;
    return it->second.rbegin()->first + 1;
}

}  // namespace agora::node
