#include "consensus/engine/ChainState.h"

#include <algorithm>

#include "consensus/core/CodecTypes.h"

namespace agora::consensus {

ChainState ChainState::genesis(ValidatorSet validators) {
    ChainState s;
    s.height = 1;
    s.validators = std::move(validators);
    return s;
}

ValidatorSet ChainState::proposerSetFor(std::uint32_t round) const {
    ValidatorSet s = validators;
    s.advanceProposer(std::uint64_t{round} + 1);
    return s;
}

ChainState ChainState::next(const CommitCertificate& commit, std::vector<ValidatorUpdate> updates,
                            std::uint64_t delay) const {
    ChainState n;
    n.height = height + 1;
    n.lastCommit = commit;
    n.pending = pending;
    const std::uint64_t at = height + std::max<std::uint64_t>(delay, 1);
    if (!updates.empty()) {
        auto it = std::find_if(n.pending.begin(), n.pending.end(),
                               [&](const PendingUpdates& p) { return p.effectiveHeight >= at; });
        // Heights are finalized once each, so `at` is new unless delay changed.
        if (it == n.pending.end() || it->effectiveHeight != at)
            n.pending.insert(it, PendingUpdates{at, std::move(updates)});
    }
    n.validators = validators;
    n.validators.advanceProposer(1);
    if (!n.pending.empty() && n.pending.front().effectiveHeight == n.height) {
        auto updated = n.validators.withUpdates(n.pending.front().updates);
        if (updated) n.validators = std::move(*updated);
        n.pending.erase(n.pending.begin());
    }
    return n;
}

void ChainState::encodeTo(Writer& w) const {
    w.u64(height);
    validators.encodeTo(w);
    w.varint(pending.size());
    for (const auto& p : pending) {
        w.u64(p.effectiveHeight);
        w.varint(p.updates.size());
        for (const auto& u : p.updates) u.encodeTo(w);
    }
    codec::putOptional(w, lastCommit, [](Writer& ww, const CommitCertificate& c) { c.encodeTo(ww); });
}

ChainState ChainState::decodeFrom(Reader& r) {
    ChainState s;
    s.height = r.u64();
    if (r.ok() && s.height == 0) r.fail(CodecError::InvalidValue);
    s.validators = ValidatorSet::decodeFrom(r);
    const std::size_t n = r.count(64);
    for (std::size_t i = 0; i < n && r.ok(); ++i) {
        PendingUpdates p;
        p.effectiveHeight = r.u64();
        if (r.ok() && (p.effectiveHeight <= s.height ||
                       (!s.pending.empty() && s.pending.back().effectiveHeight >= p.effectiveHeight))) {
            r.fail(CodecError::NotSorted);
        }
        const std::size_t m = r.count(ValidatorSet::kMaxValidators * 2, 1);
        for (std::size_t j = 0; j < m && r.ok(); ++j) {
            ValidatorUpdate u = ValidatorUpdate::decodeFrom(r);
            if (r.ok() && !p.updates.empty() && !(p.updates.back().consensusKey < u.consensusKey)) {
                r.fail(CodecError::NotSorted);
            }
            p.updates.push_back(u);
        }
        s.pending.push_back(std::move(p));
    }
    s.lastCommit =
        codec::getOptional<CommitCertificate>(r, [](Reader& rr) { return CommitCertificate::decodeFrom(rr); });
    return s;
}

}  // namespace agora::consensus
