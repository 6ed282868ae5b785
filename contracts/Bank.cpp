#include "contracts/Bank.h"

#include "consensus/core/CodecTypes.h"

namespace agora::contracts {

void Account::encodeTo(Writer& w) const {
    codec::put(w, balance);
    w.u64(nonce);
}
Account Account::decodeFrom(Reader& r) {
    Account a;
    a.balance = codec::getAmount(r);
    a.nonce = r.u64();
    return a;
}

void Supply::encodeTo(Writer& w) const {
    codec::put(w, minted);
    codec::put(w, burned);
}
Supply Supply::decodeFrom(Reader& r) {
    Supply s;
    s.minted = codec::getAmount(r);
    s.burned = codec::getAmount(r);
    return s;
}

Account Bank::account(const Address& a) const {
    return ctx_.store.load<Account>(keys::account(a)).value_or(Account{});
}

ResultCode Bank::credit(const Address& a, Amount amount) {
    Account acc = account(a);
    auto next = acc.balance.checkedAdd(amount);
    if (!next) return ResultCode::Overflow;
    acc.balance = *next;
    ctx_.store.save(keys::account(a), acc);
    return ResultCode::Ok;
}

ResultCode Bank::debit(const Address& a, Amount amount) {
    Account acc = account(a);
    auto next = acc.balance.checkedSub(amount);
    if (!next) return ResultCode::InsufficientFunds;
    acc.balance = *next;
    ctx_.store.save(keys::account(a), acc);
    return ResultCode::Ok;
}

void Bank::setNonce(const Address& a, std::uint64_t nonce) {
    Account acc = account(a);
    acc.nonce = nonce;
    ctx_.store.save(keys::account(a), acc);
}

Supply Bank::supply() const {
    return ctx_.store.load<Supply>(keys::supply()).value_or(Supply{});
}

ResultCode Bank::mint(Amount amount) {
    Supply s = supply();
    auto next = s.minted.checkedAdd(amount);
    if (!next) return ResultCode::Overflow;
    s.minted = *next;
    ctx_.store.save(keys::supply(), s);
    return ResultCode::Ok;
}

ResultCode Bank::burn(Amount amount) {
    Supply s = supply();
    auto next = s.burned.checkedAdd(amount);
    if (!next) return ResultCode::Overflow;
    s.burned = *next;
    ctx_.store.save(keys::supply(), s);
    return ResultCode::Ok;
}

Amount Bank::feePool() const {
    return Amount(ctx_.store.loadU64(keys::feePool()));
}

ResultCode Bank::addToFeePool(Amount amount) {
    auto next = feePool().checkedAdd(amount);
    if (!next) return ResultCode::Overflow;
    setFeePool(*next);
    return ResultCode::Ok;
}

void Bank::setFeePool(Amount amount) {
    ctx_.store.saveU64(keys::feePool(), amount.micro());
}

ResultCode Bank::send(const Address& from, const MsgSend& msg) {
    AGORA_TRY(debit(from, msg.amount));
    AGORA_TRY(credit(msg.to, msg.amount));
    ctx_.emit("transfer").add("from", from.toBech32()).add("to", msg.to.toBech32()).add("amount", msg.amount.micro());
    return ResultCode::Ok;
}

}  // namespace agora::contracts
