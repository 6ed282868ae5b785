#include "node/submit/TxSubmitter.h"

#include <algorithm>
#include <string>

namespace agora::node {

Expected<TxRef, AdmitResult> TxSubmitter::decode(ByteSpan bytes) {
    auto tx = decodeTx(bytes);
    if (!tx)
        return Unexpected(AdmitResult{
            static_cast<std::uint16_t>(AdmitCode::Malformed), "tx does not decode: " + tx.error().message(), {}});
    return std::move(*tx);
}

std::optional<AdmitResult> TxSubmitter::checkKinds(const DecodedTx& tx, std::string_view service,
                                                   std::initializer_list<MsgType> accepted) {
    const auto& msgs = tx.tx.body.msgs;
    for (std::size_t i = 0; i < msgs.size(); ++i) {
        const MsgType kind = msgType(msgs[i]);
        if (std::find(accepted.begin(), accepted.end(), kind) != accepted.end()) continue;
        std::string want;
        for (MsgType a : accepted) want += (want.empty() ? "" : ", ") + std::string(msgTypeName(a));
        return AdmitResult{kWrongMessageKind,
                           std::string(service) + " accepts only " + want + " messages; message " + std::to_string(i) +
                               " is " + std::string(msgTypeName(kind)) + " (use its own RPC or TxService.Broadcast)",
                           tx.hash};
    }
    return std::nullopt;
}

AdmitResult TxSubmitter::admit(const TxRef& tx) {
    const auto view = ledger_();
    return mempool_.add(tx, *view);
}

TxSubmitter::Waiting TxSubmitter::admitAndWait(const TxRef& tx, CommitWaiters::Callback onCommit) {
    Waiting w;
    w.ticket = waiters_.wait(tx->hash, std::move(onCommit));
    w.admitted = admit(tx);
    if (!w.admitted.ok() && w.admitted.code != static_cast<std::uint16_t>(AdmitCode::Duplicate)) {
        // Removed unless the tx committed meanwhile (then the callback ran or runs).
        if (waiters_.cancel(w.ticket)) w.ticket = 0;
    }
    return w;
}

}  // namespace agora::node
