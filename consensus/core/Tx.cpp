#include "consensus/core/Tx.h"

#include <atomic>

#include "consensus/core/Fields.h"
#include "consensus/core/Limits.h"
#include "consensus/core/SignDigest.h"

namespace agora {

AGORA_CODEC_FIELDS(Tx)
template <typename IO, typename Self>
void Tx::fields(IO& io, Self& m) {
    io(codec::tag(kTxFormatVersion), codec::limited(m.chainId, limits::kChainIdMax, 1), m.signer, m.nonce, m.fee,
       codec::limited(m.memo, limits::kMemoMax), codec::list(m.msgs, limits::kMsgsPerTxMax, 1));
}

Hash256 Tx::signDigest() const {
    return agora::signDigest(domain::kTx, chainId, bodyBytes());
}

bool SignedTx::verifySignature() const {
    return verifySchnorr(body.signer, body.signDigest().span(), signature);
}

Hash256 SignedTx::hash() const {
    return txHash(bytes());
}

AGORA_CODEC_FIELDS(SignedTx)
template <typename IO, typename Self>
void SignedTx::fields(IO& io, Self& m) {
    io(m.body, m.signature);
}

namespace {
std::atomic<std::uint64_t> gTxDecodes{0};
std::atomic<std::uint64_t> gTxHashes{0};
}  // namespace

Expected<SignedTx, DecodeError> decodeSignedTx(ByteSpan bytes) {
    gTxDecodes.fetch_add(1, std::memory_order_relaxed);
    if (bytes.size() > limits::kTxBytesMax) return Unexpected(DecodeError{CodecError::LengthTooLong, 0});
    return decode<SignedTx>(bytes);
}

Hash256 txHash(ByteSpan signedBytes) {
    gTxHashes.fetch_add(1, std::memory_order_relaxed);
    return sha256(signedBytes);
}

Expected<TxRef, DecodeError> decodeTx(ByteSpan bytes) {
    auto tx = decodeSignedTx(bytes);
    if (!tx) return Unexpected(tx.error());
    return std::make_shared<const DecodedTx>(
        DecodedTx{std::move(*tx), Bytes(bytes.begin(), bytes.end()), txHash(bytes)});
}

Expected<TxRef, DecodeError> decodeTx(ByteSpan bytes, const Hash256& knownHash) {
    auto tx = decodeSignedTx(bytes);
    if (!tx) return Unexpected(tx.error());
    return std::make_shared<const DecodedTx>(DecodedTx{std::move(*tx), Bytes(bytes.begin(), bytes.end()), knownHash});
}

TxCodecCounts txCodecCounts() {
    return {gTxDecodes.load(std::memory_order_relaxed), gTxHashes.load(std::memory_order_relaxed)};
}

}  // namespace agora
