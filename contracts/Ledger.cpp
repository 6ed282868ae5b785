#include "contracts/Ledger.h"

#include <cstdlib>

#include "consensus/core/Limits.h"
#include "consensus/state/Sandbox.h"
#include "contracts/ApplyContext.h"
#include "contracts/Bank.h"
#include "contracts/Gov.h"
#include "contracts/Leases.h"
#include "contracts/Market.h"
#include "contracts/Providers.h"
#include "contracts/Reputation.h"
#include "contracts/ResourceMath.h"
#include "contracts/Staking.h"

namespace agora::contracts {

using state::Event;
using state::ResultCode;

namespace {

template <typename... Fs>
struct Overloaded : Fs... {
    using Fs::operator()...;
};
template <typename... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

bool sortedAttributes(const std::vector<Attribute>& attrs) {
    if (attrs.size() > limits::kAttributesMax) return false;
    for (std::size_t i = 0; i < attrs.size(); ++i) {
        if (attrs[i].key.empty() || attrs[i].key.size() > limits::kAttributeKeyMax) return false;
        if (attrs[i].value.size() > limits::kAttributeValueMax) return false;
        if (i > 0 && !(attrs[i - 1].key < attrs[i].key)) return false;
    }
    return true;
}

ResultCode checkResources(const Resources& r) {
    if (r.gpus.size() > limits::kGpuModelsMax || !wellFormed(r) || isEmpty(r)) return ResultCode::InvalidResources;
    return ResultCode::Ok;
}

ResultCode checkMoniker(const std::string& m) {
    return (m.empty() || m.size() > limits::kMonikerMax) ? ResultCode::InvalidField : ResultCode::Ok;
}

ResultCode checkHostUri(const std::string& u) {
    return (u.empty() || u.size() > limits::kHostUriMax) ? ResultCode::InvalidField : ResultCode::Ok;
}

ResultCode positive(Amount a) {
    return a.isZero() ? ResultCode::ZeroAmount : ResultCode::Ok;
}

std::optional<Account> readAccount(const state::StateReader& s, const Address& a) {
    auto raw = s.get(keys::account(a));
    if (!raw) return std::nullopt;
    auto acc = decode<Account>(*raw);
    if (!acc) std::abort();  // corrupt state
    return std::move(acc).value();
}

}  // namespace

Amount requiredFee(const Params& p, const Tx& tx) {
    constexpr std::uint64_t kSignatureBytes = 64;
    const std::uint64_t bytes = encode(tx).size() + kSignatureBytes;
    const auto perMsg = p.feePerMsg.checkedMul(tx.msgs.size());
    const auto perByte = p.feePerByte.checkedMul(bytes);
    const auto weight = perMsg && perByte ? perMsg->checkedAdd(*perByte) : std::nullopt;
    const auto total = weight ? p.minFee.checkedAdd(*weight) : std::nullopt;
    return total.value_or(Amount(UINT64_MAX));
}

Params loadParams(const state::StateReader& s) {
    auto raw = s.get(keys::params());
    if (!raw) return Params{};
    auto p = decode<Params>(*raw);
    if (!p) std::abort();
    return std::move(p).value();
}

ResultCode checkMessage(const Msg& msg) {
    return std::visit(
        Overloaded{
            [](const MsgSend& m) { return positive(m.amount); },
            [](const MsgCreateValidator& m) {
                if (!m.consensusKey.isValid()) return ResultCode::InvalidConsensusKey;
                AGORA_TRY(checkMoniker(m.moniker));
                if (m.commissionBps > m.maxCommissionBps || m.maxCommissionBps > 10'000 ||
                    m.maxCommissionChangeBps > m.maxCommissionBps)
                    return ResultCode::InvalidCommission;
                return positive(m.selfStake);
            },
            [](const MsgEditValidator& m) {
                if (m.moniker) AGORA_TRY(checkMoniker(*m.moniker));
                if (m.commissionBps && *m.commissionBps > 10'000) return ResultCode::InvalidCommission;
                return ResultCode::Ok;
            },
            [](const MsgDelegate& m) { return positive(m.amount); },
            [](const MsgUndelegate& m) { return positive(m.amount); },
            [](const MsgUnjail&) { return ResultCode::Ok; },
            [](const MsgProviderRegister& m) {
                AGORA_TRY(checkHostUri(m.hostUri));
                if (!sortedAttributes(m.attributes)) return ResultCode::UnsortedList;
                AGORA_TRY(checkResources(m.capacity));
                return positive(m.stake);
            },
            [](const MsgProviderUpdate& m) {
                if (m.hostUri) AGORA_TRY(checkHostUri(*m.hostUri));
                if (m.attributes && !sortedAttributes(*m.attributes)) return ResultCode::UnsortedList;
                if (m.capacity && (m.capacity->gpus.size() > limits::kGpuModelsMax || !wellFormed(*m.capacity)))
                    return ResultCode::InvalidResources;
                return ResultCode::Ok;
            },
            [](const MsgProviderUnbond& m) { return positive(m.amount); },
            [](const MsgOfferSet& m) {
                if (m.prices.gpus.size() > limits::kGpuModelsMax) return ResultCode::InvalidField;
                for (std::size_t i = 1; i < m.prices.gpus.size(); ++i)
                    if (!(m.prices.gpus[i - 1].model < m.prices.gpus[i].model)) return ResultCode::UnsortedList;
                return ResultCode::Ok;
            },
            [](const MsgOfferRemove&) { return ResultCode::Ok; },
            [](const MsgJobCreate& m) {
                AGORA_TRY(checkResources(m.resources));
                if (!sortedAttributes(m.constraints)) return ResultCode::UnsortedList;
                AGORA_TRY(positive(m.maxPricePerSecond));
                if (m.durationSeconds == 0) return ResultCode::InvalidDuration;
                if (m.biddingWindowBlocks == 0) return ResultCode::InvalidBiddingWindow;
                if (m.minReputation > 1'000'000) return ResultCode::InvalidField;
                auto maxCost = m.maxPricePerSecond.checkedMul(m.durationSeconds);
                if (!maxCost) return ResultCode::AmountOverflow;
                if (m.deposit < *maxCost) return ResultCode::DepositBelowMaxCost;
                return ResultCode::Ok;
            },
            [](const MsgJobCancel&) { return ResultCode::Ok; },
            [](const MsgBidPlace& m) {
                AGORA_TRY(positive(m.pricePerSecond));
                return positive(m.deposit);
            },
            [](const MsgBidWithdraw&) { return ResultCode::Ok; },
            [](const MsgBidAccept&) { return ResultCode::Ok; },
            [](const MsgLeaseFromOffer& m) {
                AGORA_TRY(checkResources(m.resources));
                if (m.durationSeconds == 0) return ResultCode::InvalidDuration;
                if (m.offerVersion == 0) return ResultCode::InvalidField;  // versions start at 1
                AGORA_TRY(positive(m.maxPricePerSecond));
                return positive(m.deposit);
            },
            [](const MsgLeaseTopUp& m) { return positive(m.amount); },
            [](const MsgLeaseSetAutoTopUp& m) { return m.cap.isZero() ? ResultCode::Ok : positive(m.perTopUp); },
            [](const MsgUsageReport& m) {
                return m.availabilityBps > 10'000 ? ResultCode::InvalidAvailability : ResultCode::Ok;
            },
            [](const MsgLeaseClose& m) {
                // insufficient_funds: only the provider of a lease in its grace period (Leases::close).
                return static_cast<std::uint8_t>(m.reason) > kCloseReasonMax ? ResultCode::InvalidCloseReason
                                                                             : ResultCode::Ok;
            },
            [](const MsgLeaseSettle& m) {
                return (m.rating < 1 || m.rating > 5) ? ResultCode::InvalidRating : ResultCode::Ok;
            },
            [](const MsgProviderWithdraw&) { return ResultCode::Ok; },
            [](const MsgGovSubmit& m) {
                if (m.changes.empty()) return ResultCode::InvalidField;
                // Names and values stateless; whether the result is consistent is checked in apply.
                Params scratch;
                for (const ParamChange& c : m.changes) AGORA_TRY(setParam(scratch, c.key, c.value));
                return positive(m.deposit);
            },
            [](const MsgGovDeposit& m) { return positive(m.amount); },
            [](const MsgGovVote&) { return ResultCode::Ok; },
        },
        msg);
}

ResultCode Ledger::check(const SignedTx& tx, SignatureStatus signature) const {
    const Tx& body = tx.body;
    if (body.chainId != chainId_) return ResultCode::WrongChainId;
    if (body.msgs.empty()) return ResultCode::NoMessages;
    if (body.msgs.size() > limits::kMsgsPerTxMax) return ResultCode::TooManyMessages;
    if (body.memo.size() > limits::kMemoMax) return ResultCode::MemoTooLong;
    if (tx.bytes().size() > limits::kTxBytesMax) return ResultCode::TxTooLarge;
    for (const Msg& m : body.msgs) AGORA_TRY(checkMessage(m));
    // A signature that verified proves the key parses (verifySchnorr parses
    // it first), so the hot path skips a second parse; the result is the same
    // either way, which keeps it deterministic across nodes whose signature
    // caches differ.
    if (signature != SignatureStatus::Valid && !body.signer.isValid()) return ResultCode::InvalidSignerKey;
    switch (signature) {
        case SignatureStatus::Valid:
            break;
        case SignatureStatus::Invalid:
            return ResultCode::BadSignature;
        case SignatureStatus::Unchecked:
            if (!tx.verifySignature()) return ResultCode::BadSignature;
            break;
    }
    return ResultCode::Ok;
}

ResultCode Ledger::precheck(const state::StateReader& s, const Tx& tx) const {
    const Account acc = readAccount(s, tx.signerAddress()).value_or(Account{});
    if (tx.nonce != acc.nonce) return ResultCode::BadNonce;
    if (tx.fee < contracts::requiredFee(loadParams(s), tx)) return ResultCode::FeeTooLow;
    if (acc.balance < tx.fee) return ResultCode::InsufficientFeeBalance;
    return ResultCode::Ok;
}

Amount Ledger::requiredFee(const state::StateReader& s, const Tx& tx) const {
    return contracts::requiredFee(loadParams(s), tx);
}

bool Ledger::assumeNonce(state::StateWriter& s, const Tx& tx) const {
    const Address signer = tx.signerAddress();
    const Account acc = readAccount(s, signer).value_or(Account{});
    if (tx.nonce <= acc.nonce) return false;
    std::vector<Event> unused;
    ApplyContext ctx(s, block_, params_, unused);
    Bank(ctx).setNonce(signer, tx.nonce);
    return true;
}

ResultCode Ledger::applyMessage(ApplyContext& ctx, const Address& signer, const Msg& msg) {
    return std::visit(Overloaded{
                          [&](const MsgSend& m) { return Bank(ctx).send(signer, m); },
                          [&](const MsgCreateValidator& m) { return Staking(ctx).createValidator(signer, m); },
                          [&](const MsgEditValidator& m) { return Staking(ctx).editValidator(signer, m); },
                          [&](const MsgDelegate& m) { return Staking(ctx).delegate(signer, m); },
                          [&](const MsgUndelegate& m) { return Staking(ctx).undelegate(signer, m); },
                          [&](const MsgUnjail&) { return Staking(ctx).unjail(signer); },
                          [&](const MsgProviderRegister& m) { return Providers(ctx).registerProvider(signer, m); },
                          [&](const MsgProviderUpdate& m) { return Providers(ctx).update(signer, m); },
                          [&](const MsgProviderUnbond& m) { return Providers(ctx).unbond(signer, m); },
                          [&](const MsgOfferSet& m) { return Providers(ctx).setOffer(signer, m); },
                          [&](const MsgOfferRemove& m) { return Providers(ctx).removeOffer(signer, m); },
                          [&](const MsgJobCreate& m) { return Market(ctx).createJob(signer, m); },
                          [&](const MsgJobCancel& m) { return Market(ctx).cancelJob(signer, m); },
                          [&](const MsgBidPlace& m) { return Market(ctx).placeBid(signer, m); },
                          [&](const MsgBidWithdraw& m) { return Market(ctx).withdrawBid(signer, m); },
                          [&](const MsgBidAccept& m) { return Market(ctx).acceptBid(signer, m); },
                          [&](const MsgLeaseFromOffer& m) { return Market(ctx).leaseFromOffer(signer, m); },
                          [&](const MsgLeaseTopUp& m) { return Leases(ctx).topUp(signer, m); },
                          [&](const MsgLeaseSetAutoTopUp& m) { return Leases(ctx).setAutoTopUp(signer, m); },
                          [&](const MsgUsageReport& m) { return Leases(ctx).usageReport(signer, m); },
                          [&](const MsgLeaseClose& m) { return Leases(ctx).close(signer, m); },
                          [&](const MsgLeaseSettle& m) { return Leases(ctx).settle(signer, m); },
                          [&](const MsgProviderWithdraw& m) { return Leases(ctx).withdraw(signer, m); },
                          [&](const MsgGovSubmit& m) { return Gov(ctx).submit(signer, m); },
                          [&](const MsgGovDeposit& m) { return Gov(ctx).deposit(signer, m); },
                          [&](const MsgGovVote& m) { return Gov(ctx).vote(signer, m); },
                      },
                      msg);
}

TxResult Ledger::apply(state::StateWriter& s, const SignedTx& tx) {
    TxResult result;
    const Tx& body = tx.body;
    result.code = precheck(s, body);
    if (result.code != ResultCode::Ok) {
        result.message = std::string(state::resultMessage(result.code));
        return result;
    }
    const Address signer = body.signerAddress();

    // Outer sandbox: fee and nonce, kept even when a message fails.
    state::Sandbox outer(s);
    std::vector<Event> feeEvents;
    ApplyContext feeCtx(outer, block_, params_, feeEvents);
    Bank bank(feeCtx);
    if (bank.debit(signer, body.fee) != ResultCode::Ok || bank.addToFeePool(body.fee) != ResultCode::Ok)
        std::abort();  // precheck guaranteed the balance; the pool is bounded by supply
    bank.setNonce(signer, body.nonce + 1);
    feeCtx.emit("tx_fee").add("payer", signer.toBech32()).add("fee", body.fee.micro()).add("nonce", body.nonce);
    result.feeCharged = body.fee;

    // Inner sandbox: the messages, all or nothing.
    // The cast matters: Sandbox(outer) would pick Sandbox's implicit copy
    // constructor and overlay the outer sandbox's parent instead of it.
    state::Sandbox inner(static_cast<state::StateWriter&>(outer));
    std::vector<Event> msgEvents;
    for (std::uint32_t i = 0; i < body.msgs.size(); ++i) {
        const std::size_t before = msgEvents.size();
        ApplyContext ctx(inner, block_, params_, msgEvents);
        const ResultCode rc = applyMessage(ctx, signer, body.msgs[i]);
        if (rc != ResultCode::Ok) {
            inner.discard();
            msgEvents.clear();
            result.code = rc;
            result.failedMessage = i;
            result.message = std::string(state::resultMessage(rc)) + " (message " + std::to_string(i) + ")";
            break;
        }
        for (std::size_t e = before; e < msgEvents.size(); ++e) msgEvents[e].add("msg_index", i);
    }
    inner.commit();
    outer.commit();
    if (result.code == ResultCode::Ok) result.message = std::string(state::resultMessage(ResultCode::Ok));
    result.events = std::move(feeEvents);
    result.events.insert(result.events.end(), msgEvents.begin(), msgEvents.end());
    return result;
}

TxResult Ledger::deliverTx(state::StateWriter& s, const SignedTx& tx, SignatureStatus signature) {
    const ResultCode rc = check(tx, signature);
    if (rc != ResultCode::Ok) {
        TxResult r;
        r.code = rc;
        r.message = std::string(state::resultMessage(rc));
        return r;
    }
    return apply(s, tx);
}

std::vector<Event> Ledger::beginBlock(state::StateWriter& s, const state::BlockContext& block) {
    block_ = block;
    params_ = loadParams(s);
    std::vector<Event> events;
    ApplyContext ctx(s, block_, params_, events);
    Staking staking(ctx);
    for (const auto& ev : block_.evidence) {
        switch (ev.kind) {
            case state::MisbehaviourKind::DoubleSign:
                staking.punishDoubleSign(ev.consensusKey, ev.height);
                break;
            case state::MisbehaviourKind::Downtime:
                staking.recordAbsence(ev.consensusKey);
                break;
        }
    }
    for (const auto& key : block_.absentValidators) staking.recordAbsence(key);
    return events;
}

EndBlockResult Ledger::endBlock(state::StateWriter& s) {
    EndBlockResult out;
    ApplyContext ctx(s, block_, params_, out.events);
    // Each step only visits what is due at this height. A failure here would
    // mean an amount beyond the total supply: state is broken, stop.
    if (Market(ctx).expireJobs() != ResultCode::Ok) std::abort();
    if (Leases(ctx).processDue() != ResultCode::Ok) std::abort();
    Leases(ctx).pruneDue();
    Market(ctx).pruneDue();
    // Before staking's work: a tally weighs the set consensus held in this block.
    if (Gov(ctx).processDue() != ResultCode::Ok) std::abort();
    Staking staking(ctx);
    if (staking.completeUnbondings() != ResultCode::Ok) std::abort();
    if (staking.distributeRewards() != ResultCode::Ok) std::abort();
    out.validatorUpdates = staking.collectValidatorUpdates();
    return out;
}

}  // namespace agora::contracts
