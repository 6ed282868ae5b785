#pragma once
// TxSigner: holds one secret key and turns a Tx into a SignedTx. The
// signature is BIP-340 over Tx::signDigest() (domain tag, chain id, body),
// with fresh auxiliary randomness per signature.

#include "consensus/core/Address.h"
#include "consensus/core/Expected.h"
#include "consensus/core/PublicKey.h"
#include "consensus/core/Tx.h"
#include "wallet/SecretKey.h"
#include "wallet/TxBuilder.h"
#include "wallet/WalletError.h"

namespace agora::wallet {

class TxSigner {
public:
    explicit TxSigner(SecretKey key) : key_(std::move(key)), publicKey_(key_.publicKey()) {}

    const PublicKey& publicKey() const { return publicKey_; }
    Address address() const { return Address::fromPublicKey(publicKey_); }

    // InvalidTx when tx.signer is not this signer's key.
    Expected<SignedTx, WalletError> sign(const Tx& tx) const;
    // Builds with this signer's key, then signs.
    Expected<SignedTx, WalletError> sign(const TxBuilder& builder) const;

private:
    SecretKey key_;
    PublicKey publicKey_;
};

}  // namespace agora::wallet
