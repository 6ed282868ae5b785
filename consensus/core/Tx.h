#pragma once
// Transactions. A Tx body is signed by its signer; the signed form is the
// canonical body bytes followed by the 64-byte BIP-340 signature over
// signDigest(domain::kTx, chain_id, body). Tx hash = SHA-256 of the signed
// bytes.

#include <cstdint>
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
    std::string chainId;    // 1..64 bytes
    PublicKey signer;       // x-only key; the sender of every message
    std::uint64_t nonce = 0;  // must equal the account's next nonce
    Amount fee;
    std::string memo;       // 0..256 bytes
    std::vector<Msg> msgs;  // 1..64

    Address signerAddress() const { return Address::fromPublicKey(signer); }
    // The canonical body bytes (what is signed).
    Bytes bodyBytes() const { return encode(*this); }
    Hash256 signDigest() const;

    void encodeTo(Writer& w) const;
    static Tx decodeFrom(Reader& r);
    bool operator==(const Tx&) const = default;
};

struct SignedTx {
    Tx body;
    Signature signature;

    // True when the signature is valid for body under body.chainId.
    bool verifySignature() const;
    Bytes bytes() const { return encode(*this); }
    Hash256 hash() const;

    void encodeTo(Writer& w) const;
    static SignedTx decodeFrom(Reader& r);
    bool operator==(const SignedTx&) const = default;
};

// Decodes a signed tx from wire bytes: enforces kTxBytesMax and canonical form.
Expected<SignedTx, DecodeError> decodeSignedTx(ByteSpan bytes);

}  // namespace agora
