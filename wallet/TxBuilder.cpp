#include "wallet/TxBuilder.h"

#include "consensus/core/Limits.h"

namespace agora::wallet {

Expected<Tx, WalletError> TxBuilder::build(const PublicKey& signer) const {
    auto bad = [](std::string why) { return Unexpected(WalletError{WalletErrc::InvalidTx, std::move(why)}); };
    if (chainId_.empty() || chainId_.size() > limits::kChainIdMax) return bad("chain id must be 1..64 bytes");
    if (memo_.size() > limits::kMemoMax) return bad("memo longer than 256 bytes");
    if (msgs_.empty() || msgs_.size() > limits::kMsgsPerTxMax) return bad("a tx carries 1..64 messages");
    Tx tx;
    tx.chainId = chainId_;
    tx.signer = signer;
    tx.nonce = nonce_;
    tx.fee = fee_;
    tx.memo = memo_;
    tx.msgs = msgs_;
    if (tx.bodyBytes().size() + Signature::kSize > limits::kTxBytesMax) return bad("tx larger than 64 KiB");
    return tx;
}

}  // namespace agora::wallet
