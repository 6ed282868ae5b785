#pragma once
// TxSubmitter: the one way a signed tx enters this node from a client. gRPC
// TxService.Broadcast and BroadcastBatch, the action services
// (ProviderService, ClientService, StakingService) and HTTP POST /v1/txs all
// come through here, so every way in behaves and fails the same.
//
// The bytes are decoded and hashed once (decode(): a TxRef); the mempool
// keeps that decoded form and the proposal takes it from there, so a tx is
// decoded and hashed once between the client and the commit
// (docs/architecture.md, "A tx's path"). Transport-neutral: the adapters
// (node/rpc, node/gateway) turn its codes into gRPC or HTTP statuses.
//
// Codes: mempool admission (node/mempool/Mempool.h: ledger codes below 500,
// 500..509) and 600 wrong_message_kind (an action service got a tx carrying
// a message of another kind). Thread-safe (the mempool and the waiters are).

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string_view>

#include "consensus/core/Bytes.h"
#include "consensus/core/Expected.h"
#include "consensus/core/Messages.h"
#include "consensus/core/Tx.h"
#include "node/mempool/Mempool.h"
#include "node/submit/CommitWaiters.h"
#include "node/submit/SubmitCodes.h"

namespace agora::node {

// The submit layer's refusal of a message of another kind (node/submit/SubmitCodes.h).
inline constexpr auto kWrongMessageKind = static_cast<std::uint16_t>(RpcCode::WrongMessageKind);

class TxSubmitter {
public:
    using LedgerViewSource = std::function<std::shared_ptr<const MempoolLedgerView>()>;

    TxSubmitter(Mempool& mempool, LedgerViewSource ledger, CommitWaiters& waiters)
        : mempool_(mempool), ledger_(std::move(ledger)), waiters_(waiters) {}

    // Decodes and hashes; a refusal with code 500 (malformed) when the bytes
    // are not a canonical signed tx.
    static Expected<TxRef, AdmitResult> decode(ByteSpan bytes);

    // For an action service: nullopt when every message is of an accepted
    // kind; otherwise code 600 naming the message, its kind and what the
    // service accepts. No messages at all is the ledger's to refuse (101).
    static std::optional<AdmitResult> checkKinds(const DecodedTx& tx, std::string_view service,
                                                 std::initializer_list<MsgType> accepted);

    // Admission to the mempool against the latest committed state.
    AdmitResult admit(const TxRef& tx);

    // Commit mode. Registers onCommit for tx before admitting it (a fast
    // commit is not missed), then admits. A refusal other than Duplicate (a
    // retry of a pending tx keeps waiting) removes the waiter, which is then
    // never called. Otherwise `ticket` cancels the wait (deadline, client gone).
    struct Waiting {
        AdmitResult admitted;
        std::uint64_t ticket = 0;  // 0 = not waiting (refused)
    };
    Waiting admitAndWait(const TxRef& tx, CommitWaiters::Callback onCommit);
    // True when the waiter was still registered (it will never be called).
    bool cancel(std::uint64_t ticket) { return waiters_.cancel(ticket); }

    CommitWaiters& waiters() { return waiters_; }

private:
    Mempool& mempool_;
    LedgerViewSource ledger_;
    CommitWaiters& waiters_;
};

}  // namespace agora::node
