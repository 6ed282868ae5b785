#include "consensus/core/ValidatorSet.h"

#include <algorithm>
#include <cstdlib>

#include "consensus/core/CodecTypes.h"

namespace agora {
namespace {

__extension__ using Int128 = __int128;

// Priorities are bounded by a few times kMaxTotalPower (< 2^62), so int64
// never overflows; a violation means this node would diverge: stop.
std::int64_t checkedAdd(std::int64_t a, std::int64_t b) {
    std::int64_t out = 0;
    if (__builtin_add_overflow(a, b, &out)) std::abort();
    return out;
}

std::int64_t checkedSub(std::int64_t a, std::int64_t b) {
    std::int64_t out = 0;
    if (__builtin_sub_overflow(a, b, &out)) std::abort();
    return out;
}

}  // namespace

std::string_view errorName(ValidatorSetError e) {
    switch (e) {
        case ValidatorSetError::Empty:
            return "empty validator set";
        case ValidatorSetError::TooMany:
            return "too many validators";
        case ValidatorSetError::TotalTooLarge:
            return "total power too large";
        case ValidatorSetError::NotSorted:
            return "validators not sorted by key";
        case ValidatorSetError::ZeroPower:
            return "validator with zero power";
        case ValidatorSetError::UnknownRemoval:
            return "removal of a non-member";
    }
    return "unknown validator set error";
}

Expected<ValidatorSet, ValidatorSetError> ValidatorSet::create(std::vector<Validator> members) {
    if (members.empty()) return Unexpected(ValidatorSetError::Empty);
    if (members.size() > kMaxValidators) return Unexpected(ValidatorSetError::TooMany);
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < members.size(); ++i) {
        if (i > 0 && !(members[i - 1].key < members[i].key)) return Unexpected(ValidatorSetError::NotSorted);
        if (members[i].power == 0) return Unexpected(ValidatorSetError::ZeroPower);
        if (__builtin_add_overflow(total, members[i].power, &total) || total > kMaxTotalPower) {
            return Unexpected(ValidatorSetError::TotalTooLarge);
        }
    }
    ValidatorSet s;
    s.members_ = std::move(members);
    s.total_ = total;
    return s;
}

Expected<ValidatorSet, ValidatorSetError> ValidatorSet::fromUpdates(std::vector<ValidatorUpdate> updates) {
    std::sort(updates.begin(), updates.end(),
              [](const ValidatorUpdate& a, const ValidatorUpdate& b) { return a.consensusKey < b.consensusKey; });
    std::vector<Validator> members;
    members.reserve(updates.size());
    for (const auto& u : updates) members.push_back(Validator{u.consensusKey, u.power, 0});
    return create(std::move(members));
}

std::optional<std::size_t> ValidatorSet::indexOf(const PublicKey& key) const {
    auto it = std::lower_bound(members_.begin(), members_.end(), key,
                               [](const Validator& v, const PublicKey& k) { return v.key < k; });
    if (it == members_.end() || it->key != key) return std::nullopt;
    return static_cast<std::size_t>(it - members_.begin());
}

std::uint64_t ValidatorSet::powerOf(const PublicKey& key) const {
    auto i = indexOf(key);
    return i ? members_[*i].power : 0;
}

bool ValidatorSet::isQuorum(std::uint64_t power) const {
    return Int128(power) * 3 > Int128(total_) * 2;
}

bool ValidatorSet::exceedsOneThird(std::uint64_t power) const {
    return Int128(power) * 3 > Int128(total_);
}

const Validator& ValidatorSet::proposer() const {
    std::size_t best = 0;
    for (std::size_t i = 1; i < members_.size(); ++i) {
        // Strictly greater keeps the smaller key on ties (members are sorted).
        if (members_[i].priority > members_[best].priority) best = i;
    }
    return members_[best];
}

void ValidatorSet::rescaleAndCenter() {
    if (members_.empty()) return;
    // Keep max - min within 2 * total so a long-absent validator cannot
    // accumulate an unbounded lead.
    const std::int64_t window = static_cast<std::int64_t>(total_) * 2;
    std::int64_t lo = members_[0].priority;
    std::int64_t hi = members_[0].priority;
    for (const auto& v : members_) {
        lo = std::min(lo, v.priority);
        hi = std::max(hi, v.priority);
    }
    const std::int64_t diff = checkedSub(hi, lo);
    if (window > 0 && diff > window) {
        const std::int64_t ratio = (diff + window - 1) / window;
        for (auto& v : members_) v.priority /= ratio;
    }
    // Centre on zero (floor of the average) so priorities do not drift.
    Int128 sum = 0;
    for (const auto& v : members_) sum += v.priority;
    const Int128 n = static_cast<Int128>(members_.size());
    Int128 avg = sum / n;
    if (sum % n != 0 && sum < 0) avg -= 1;
    for (auto& v : members_) v.priority = checkedSub(v.priority, static_cast<std::int64_t>(avg));
}

void ValidatorSet::advanceProposer(std::uint64_t times) {
    if (members_.empty()) return;
    for (std::uint64_t t = 0; t < times; ++t) {
        // The current proposer pays the total; then everyone earns its power.
        std::size_t chosen = 0;
        for (std::size_t i = 1; i < members_.size(); ++i) {
            if (members_[i].priority > members_[chosen].priority) chosen = i;
        }
        members_[chosen].priority = checkedSub(members_[chosen].priority, static_cast<std::int64_t>(total_));
        rescaleAndCenter();
        for (auto& v : members_) v.priority = checkedAdd(v.priority, static_cast<std::int64_t>(v.power));
    }
}

Expected<ValidatorSet, ValidatorSetError> ValidatorSet::withUpdates(std::span<const ValidatorUpdate> updates) const {
    for (std::size_t i = 1; i < updates.size(); ++i) {
        if (!(updates[i - 1].consensusKey < updates[i].consensusKey)) return Unexpected(ValidatorSetError::NotSorted);
    }
    // Merge two sorted lists.
    std::vector<Validator> out;
    std::vector<std::size_t> fresh;  // indexes in out of new members
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < members_.size() || j < updates.size()) {
        if (j == updates.size() || (i < members_.size() && members_[i].key < updates[j].consensusKey)) {
            out.push_back(members_[i++]);
        } else if (i == members_.size() || updates[j].consensusKey < members_[i].key) {
            if (updates[j].power == 0) return Unexpected(ValidatorSetError::UnknownRemoval);
            fresh.push_back(out.size());
            out.push_back(Validator{updates[j].consensusKey, updates[j].power, 0});
            ++j;
        } else {
            if (updates[j].power != 0)
                out.push_back(Validator{members_[i].key, updates[j].power, members_[i].priority});
            ++i;
            ++j;
        }
    }
    auto created = create(std::move(out));
    if (!created) return created;
    ValidatorSet s = std::move(*created);
    const std::int64_t total = static_cast<std::int64_t>(s.total_);
    for (std::size_t k : fresh) s.members_[k].priority = -(total + total / 8);
    s.rescaleAndCenter();
    return s;
}

void ValidatorSet::encodeTo(Writer& w) const {
    w.varint(members_.size());
    for (const auto& v : members_) {
        codec::put(w, v.key);
        w.u64(v.power);
        w.u64(static_cast<std::uint64_t>(v.priority));
    }
}

ValidatorSet ValidatorSet::decodeFrom(Reader& r) {
    const std::size_t n = r.count(kMaxValidators, 1);
    std::vector<Validator> members;
    members.reserve(n);
    for (std::size_t i = 0; i < n && r.ok(); ++i) {
        Validator v;
        v.key = codec::getPublicKey(r);
        v.power = r.u64();
        v.priority = static_cast<std::int64_t>(r.u64());
        // Honest sets keep |priority| within a few totals; larger values
        // could overflow the round-robin arithmetic.
        if (r.ok() && (v.priority > kMaxPriority || v.priority < -kMaxPriority)) r.fail(CodecError::InvalidValue);
        members.push_back(v);
    }
    if (!r.ok()) return {};
    auto created = create(std::move(members));
    if (!created) {
        switch (created.error()) {
            case ValidatorSetError::NotSorted:
                r.fail(CodecError::NotSorted);
                break;
            case ValidatorSetError::Empty:
            case ValidatorSetError::TooMany:
                r.fail(CodecError::LengthTooLong);
                break;
            case ValidatorSetError::TotalTooLarge:
            case ValidatorSetError::ZeroPower:
            case ValidatorSetError::UnknownRemoval:
                r.fail(CodecError::InvalidValue);
                break;
        }
        return {};
    }
    return std::move(*created);
}

}  // namespace agora
