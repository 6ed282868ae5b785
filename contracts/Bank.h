#pragma once
// bank: account balances and nonces, transfers, fee collection, the supply
// record (minted / burned) and the per-block reward payout to validators.

#include <cstdint>
#include <optional>

#include "consensus/core/Address.h"
#include "consensus/core/Amount.h"
#include "consensus/core/Messages.h"
#include "contracts/ApplyContext.h"

namespace agora::contracts {

struct Account {
    Amount balance;
    std::uint64_t nonce = 0;  // next expected tx nonce
    void encodeTo(Writer& w) const;
    static Account decodeFrom(Reader& r);
    bool operator==(const Account&) const = default;
};

// Everything ever minted (genesis + block rewards) and burned (slashes).
// Invariant: minted - burned = every amount held anywhere in state.
struct Supply {
    Amount minted;
    Amount burned;
    void encodeTo(Writer& w) const;
    static Supply decodeFrom(Reader& r);
    bool operator==(const Supply&) const = default;
};

class Bank {
public:
    explicit Bank(ApplyContext& ctx) : ctx_(ctx) {}

    Account account(const Address& a) const;
    Amount balance(const Address& a) const { return account(a).balance; }
    ResultCode credit(const Address& a, Amount amount);
    ResultCode debit(const Address& a, Amount amount);
    void setNonce(const Address& a, std::uint64_t nonce);

    Supply supply() const;
    ResultCode mint(Amount amount);
    ResultCode burn(Amount amount);

    Amount feePool() const;
    ResultCode addToFeePool(Amount amount);
    void setFeePool(Amount amount);

    ResultCode send(const Address& from, const MsgSend& msg);

private:
    ApplyContext& ctx_;
};

}  // namespace agora::contracts
