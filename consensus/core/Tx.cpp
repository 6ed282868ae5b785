#include "consensus/core/Tx.h"

#include <atomic>

#include "consensus/core/CodecTypes.h"
#include "consensus/core/Limits.h"
#include "consensus/core/SignDigest.h"

namespace agora {

void Tx::encodeTo(Writer& w) const {
    w.u8(kTxFormatVersion);
    w.string(chainId);
    codec::put(w, signer);
    w.u64(nonce);
    codec::put(w, fee);
    w.string(memo);
    w.varint(msgs.size());
    for (const auto& m : msgs) encodeMsg(w, m);
}

Tx Tx::decodeFrom(Reader& r) {
    Tx tx;
    if (r.u8() != kTxFormatVersion && r.ok()) {
        r.fail(CodecError::UnknownTag);
        return tx;
    }
    tx.chainId = r.string(limits::kChainIdMax, 1);
    tx.signer = codec::getPublicKey(r);
    tx.nonce = r.u64();
    tx.fee = codec::getAmount(r);
    tx.memo = r.string(limits::kMemoMax);
    const std::size_t n = r.count(limits::kMsgsPerTxMax, 1);
    tx.msgs.reserve(n);
    for (std::size_t i = 0; i < n && r.ok(); ++i) tx.msgs.push_back(decodeMsg(r));
    return tx;
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

void SignedTx::encodeTo(Writer& w) const {
    body.encodeTo(w);
    codec::put(w, signature);
}

SignedTx SignedTx::decodeFrom(Reader& r) {
    SignedTx s;
    s.body = Tx::decodeFrom(r);
    s.signature = codec::getSignature(r);
    return s;
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
