#pragma once
// TxBuilder: collects the fields of an agora::Tx and checks them against the
// protocol bounds (consensus/core/Limits.h) before anything is signed.

#include <cstdint>
#include <string>
#include <vector>

#include "consensus/core/Amount.h"
#include "consensus/core/Expected.h"
#include "consensus/core/Messages.h"
#include "consensus/core/PublicKey.h"
#include "consensus/core/Tx.h"
#include "wallet/WalletError.h"

namespace agora::wallet {

class TxBuilder {
public:
    explicit TxBuilder(std::string chainId) : chainId_(std::move(chainId)) {}

    TxBuilder& nonce(std::uint64_t n) {
        nonce_ = n;
        return *this;
    }
    TxBuilder& fee(Amount f) {
        fee_ = f;
        return *this;
    }
    TxBuilder& memo(std::string m) {
        memo_ = std::move(m);
        return *this;
    }
    TxBuilder& addMsg(Msg m) {
        msgs_.push_back(std::move(m));
        return *this;
    }

    // InvalidTx when chain id is not 1..64 bytes, memo over 256 bytes, or
    // messages not 1..64.
    Expected<Tx, WalletError> build(const PublicKey& signer) const;

private:
    std::string chainId_;
    std::uint64_t nonce_ = 0;
    Amount fee_;
    std::string memo_;
    std::vector<Msg> msgs_;
};

}  // namespace agora::wallet
