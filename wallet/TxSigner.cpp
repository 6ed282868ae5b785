#include "wallet/TxSigner.h"

namespace agora::wallet {

Expected<SignedTx, WalletError> TxSigner::sign(const Tx& tx) const {
    if (tx.signer != publicKey_) {
        return Unexpected(WalletError{WalletErrc::InvalidTx, "tx signer is not the signing key"});
    }
    const Hash256 digest = tx.signDigest();
    return SignedTx{tx, key_.sign(digest.span())};
}

Expected<SignedTx, WalletError> TxSigner::sign(const TxBuilder& builder) const {
    auto tx = builder.build(publicKey_);
    if (!tx) return Unexpected(tx.error());
    return sign(*tx);
}

}  // namespace agora::wallet
