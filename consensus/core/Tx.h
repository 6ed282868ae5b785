#pragma once
// Transactions. A Tx body is signed by its signer; the signed form is the
// canonical body bytes followed by the 64-byte BIP-340 signature over
// signDigest(domain::kTx, chain_id, body). Tx hash = SHA-256 of the signed
// bytes.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "consensus/core/Address.h"
#include "consensus/core/Amount.h"
#include "consensus/core/Codec.h"
#include "consensus/core/Hash256.h"
#include "consensus/core/Messages.h"
#include "consensus/core/PublicKey.h"

namespace agora {

inline constexpr std::uint8_t kTxFormatVersion = 1;

struct Tx {
    std::string chainId;      // 1..64 bytes
    PublicKey signer;         // x-only key; the sender of every message
    std::uint64_t nonce = 0;  // must equal the account's next nonce
    Amount fee;
    std::string memo;       // 0..256 bytes
    std::vector<Msg> msgs;  // 1..64

    Address signerAddress() const { return Address::fromPublicKey(signer); }
    // The canonical body bytes (what is signed).
    Bytes bodyBytes() const { return encode(*this); }
    Hash256 signDigest() const;

    AGORA_CODEC_FIELDS_DECL(Tx);
    bool operator==(const Tx&) const = default;
};

struct SignedTx {
    Tx body;
    Signature signature;

    // True when the signature is valid for body under body.chainId.
    bool verifySignature() const;
    Bytes bytes() const { return encode(*this); }
    Hash256 hash() const;

    AGORA_CODEC_FIELDS_DECL(SignedTx);
    bool operator==(const SignedTx&) const = default;
};

// Decodes a signed tx from wire bytes: enforces kTxBytesMax and canonical form.
Expected<SignedTx, DecodeError> decodeSignedTx(ByteSpan bytes);

// A tx's id: SHA-256 of its signed bytes. Every place that names a tx by its
// hash computes it here (or takes it from a DecodedTx).
Hash256 txHash(ByteSpan signedBytes);

// A signed tx as it travels inside a node, from admission (RPC, HTTP, p2p)
// through the mempool, the proposal and the commit: decoded once and hashed
// once, then shared read-only (docs/architecture.md, "A tx's path").
struct DecodedTx {
    SignedTx tx;
    Bytes bytes;   // the canonical signed bytes it was decoded from
    Hash256 hash;  // txHash(bytes)
};
using TxRef = std::shared_ptr<const DecodedTx>;

// Decodes and hashes (decodeSignedTx's rules).
Expected<TxRef, DecodeError> decodeTx(ByteSpan bytes);
// The same when the caller already hashed the bytes (p2p drops repeats by hash first).
Expected<TxRef, DecodeError> decodeTx(ByteSpan bytes, const Hash256& knownHash);

// How many signed txs this process has decoded and hashed (decodeSignedTx
// and txHash calls). Read by the admission-to-commit benchmark and its test;
// plain counters that never reach state.
struct TxCodecCounts {
    std::uint64_t decodes = 0;
    std::uint64_t hashes = 0;
};
TxCodecCounts txCodecCounts();

}  // namespace agora
