#pragma once
// The application's deterministic core: the three-stage tx pipeline and the
// block hooks. No I/O, clocks or threads: the node hands in state views and
// the block context, and takes back results, events and validator updates.
//
//   check     stateless: chain id, sizes, fields, signature (or a cached
//             verification result from the mempool)
//   precheck  read-only: nonce == account next nonce, fee >= requiredFee,
//             balance covers the fee
//   apply     in a sandbox: the fee is charged and the nonce advanced in an
//             outer sandbox; the messages run in an inner one that is
//             committed only if every message succeeds. A failing message
//             rolls back all message effects but the fee stays paid.
//
// Block flow: beginBlock(ctx) -> deliverTx(tx)* -> endBlock() -> the node commits.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "consensus/core/Tx.h"
#include "consensus/core/ValidatorUpdate.h"
#include "consensus/state/BlockContext.h"
#include "consensus/state/Event.h"
#include "consensus/state/ResultCode.h"
#include "consensus/state/StateView.h"
#include "contracts/Params.h"

namespace agora::contracts {

class ApplyContext;

// What the node already knows about a tx's signature (the mempool verified
// it once; block execution must not pay for it again).
enum class SignatureStatus : std::uint8_t { Unchecked = 0, Valid = 1, Invalid = 2 };

struct TxResult {
    state::ResultCode code = state::ResultCode::Ok;
    std::string message;
    std::optional<std::uint32_t> failedMessage;  // index of the failing message
    std::vector<state::Event> events;
    Amount feeCharged;
    bool ok() const { return code == state::ResultCode::Ok; }
};

struct EndBlockResult {
    std::vector<ValidatorUpdate> validatorUpdates;  // sorted by key
    std::vector<state::Event> events;
};

class Ledger {
public:
    explicit Ledger(std::string chainId) : chainId_(std::move(chainId)) {}

    // Stage 1, stateless.
    state::ResultCode check(const SignedTx& tx, SignatureStatus signature = SignatureStatus::Unchecked) const;
    // Stage 2, read-only against the given state.
    state::ResultCode precheck(const state::StateReader& state, const Tx& tx) const;
    // Stage 3: precheck + charge + messages. Requires beginBlock.
    TxResult apply(state::StateWriter& state, const SignedTx& tx);

    std::vector<state::Event> beginBlock(state::StateWriter& state, const state::BlockContext& block);
    // check + apply; a malformed or rejected tx changes nothing.
    TxResult deliverTx(state::StateWriter& state, const SignedTx& tx,
                       SignatureStatus signature = SignatureStatus::Unchecked);
    EndBlockResult endBlock(state::StateWriter& state);

    // Simulation only (node/rpc/TxSimulator), never on a block path.
    // The least fee `tx` must carry to pass precheck on this state
    // (contracts::requiredFee with the params in state).
    Amount requiredFee(const state::StateReader& state, const Tx& tx) const;
    // When tx's nonce is ahead of its signer's stored nonce (the signer's
    // earlier txs still wait in a mempool), stores tx's nonce as the next
    // one so that the tx executes. True when it did.
    bool assumeNonce(state::StateWriter& state, const Tx& tx) const;

    const state::BlockContext& block() const { return block_; }
    const std::string& chainId() const { return chainId_; }

private:
    state::ResultCode applyMessage(ApplyContext& ctx, const Address& signer, const Msg& msg);
    std::string chainId_;
    state::BlockContext block_;
    Params params_;
};

// The least fee `tx` must carry: min_fee + fee_per_msg x messages +
// fee_per_byte x its signed size (body + 64-byte signature); saturates at
// the largest amount (validate() keeps a well-formed tx below it).
Amount requiredFee(const Params& params, const Tx& tx);

// Stateless validity of one message (part of check).
state::ResultCode checkMessage(const Msg& msg);
// Reads the params from state (defaults when absent, before genesis).
Params loadParams(const state::StateReader& state);

}  // namespace agora::contracts
