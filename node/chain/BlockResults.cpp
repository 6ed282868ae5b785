#include "node/chain/BlockResults.h"

#include "consensus/core/BlockHeader.h"
#include "consensus/core/CodecTypes.h"
#include "consensus/core/Limits.h"

namespace agora::node {

namespace {
void putEvents(Writer& w, const std::vector<state::Event>& events) {
    codec::putList(w, events, [](Writer& ww, const state::Event& e) { e.encodeTo(ww); });
}
std::vector<state::Event> getEvents(Reader& r) {
    return codec::getList<state::Event>(r, 100'000, state::Event::decodeFrom);
}
}  // namespace

void TxOutcome::encodeTo(Writer& w) const {
    w.u16(code);
    w.u64(feeCharged);
    w.string(message);
    putEvents(w, events);
}

TxOutcome TxOutcome::decodeFrom(Reader& r) {
    TxOutcome t;
    t.code = r.u16();
    t.feeCharged = r.u64();
    t.message = r.string(256);
    t.events = getEvents(r);
    return t;
}

Hash256 BlockResults::resultsHash() const {
    std::vector<Hash256> leaves;
    leaves.reserve(txs.size());
    for (const auto& t : txs) leaves.push_back(sha256(encode(t)));
    return merkleRoot(leaves);
}

void BlockResults::encodeTo(Writer& w) const {
    codec::putList(w, txs, [](Writer& ww, const TxOutcome& t) { t.encodeTo(ww); });
    putEvents(w, beginEvents);
    putEvents(w, endEvents);
    codec::putList(w, validatorUpdates, [](Writer& ww, const ValidatorUpdate& u) { u.encodeTo(ww); });
}

BlockResults BlockResults::decodeFrom(Reader& r) {
    BlockResults b;
    b.txs = codec::getList<TxOutcome>(r, limits::kBlockTxsMax, TxOutcome::decodeFrom);
    b.beginEvents = getEvents(r);
    b.endEvents = getEvents(r);
    b.validatorUpdates = codec::getList<ValidatorUpdate>(r, 100'000, ValidatorUpdate::decodeFrom);
    return b;
}

}  // namespace agora::node
