#include "wallet/ExtendedKey.h"

#include <cryptopp/hmac.h>
#include <cryptopp/ripemd.h>
#include <cryptopp/sha.h>
#include <secp256k1.h>
#include <cstdlib>

#include "consensus/core/Hash256.h"
#include "wallet/Base58.h"
#include "wallet/Secp256k1Context.h"
#include "wallet/Wipe.h"

namespace agora::wallet {
namespace {

using I512 = std::array<std::uint8_t, 64>;

I512 hmacSha512(ByteSpan key, ByteSpan data) {
    I512 out{};
    CryptoPP::HMAC<CryptoPP::SHA512> mac(key.data(), key.size());
    mac.CalculateDigest(out.data(), data.data(), data.size());
    return out;
}

void putU32(Bytes& out, std::uint32_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 24));
    out.push_back(static_cast<std::uint8_t>(v >> 16));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

// First 4 bytes of HASH160(serP(K)), big-endian.
std::uint32_t fingerprint(const std::array<std::uint8_t, 33>& pub) {
    const Hash256 sha = sha256(ByteSpan(pub.data(), pub.size()));
    std::array<std::uint8_t, CryptoPP::RIPEMD160::DIGESTSIZE> rip{};
    CryptoPP::RIPEMD160().CalculateDigest(rip.data(), sha.bytes().data(), sha.bytes().size());
    return (static_cast<std::uint32_t>(rip[0]) << 24) | (static_cast<std::uint32_t>(rip[1]) << 16) |
           (static_cast<std::uint32_t>(rip[2]) << 8) | static_cast<std::uint32_t>(rip[3]);
}

}  // namespace

ExtendedKey::ExtendedKey(SecretKey key, const std::array<std::uint8_t, 32>& chainCode, std::uint8_t depth,
                         std::uint32_t parentFingerprint, std::uint32_t childNumber)
    : key_(std::move(key)),
      chainCode_(chainCode),
      depth_(depth),
      parentFingerprint_(parentFingerprint),
      childNumber_(childNumber) {}

Expected<ExtendedKey, WalletError> ExtendedKey::fromSeed(ByteSpan seed) {
    if (seed.size() < 16 || seed.size() > 64) {
        return Unexpected(WalletError{WalletErrc::DerivationFailed, "seed must be 16..64 bytes"});
    }
    static constexpr std::string_view kSalt = "Bitcoin seed";
    I512 i = hmacSha512(asBytes(kSalt), seed);
    auto key = SecretKey::fromBytes(ByteSpan(i.data(), 32));
    std::array<std::uint8_t, 32> chain{};
    std::copy(i.begin() + 32, i.end(), chain.begin());
    wipe(i.data(), i.size());
    if (!key) return Unexpected(WalletError{WalletErrc::DerivationFailed, "master key out of range"});
    return ExtendedKey(std::move(key).value(), chain, 0, 0, 0);
}

std::array<std::uint8_t, 33> ExtendedKey::compressedPublicKey() const {
    secp256k1_pubkey pk;
    if (secp256k1_ec_pubkey_create(signingContext(), &pk, key_.bytes().data()) != 1) std::abort();
    std::array<std::uint8_t, 33> out{};
    std::size_t len = out.size();
    secp256k1_ec_pubkey_serialize(signingContext(), out.data(), &len, &pk, SECP256K1_EC_COMPRESSED);
    return out;
}

Expected<ExtendedKey, WalletError> ExtendedKey::deriveChild(std::uint32_t index) const {
    if (depth_ == 255) return Unexpected(WalletError{WalletErrc::DerivationFailed, "depth limit"});
    Bytes data;
    data.reserve(37);
    if ((index & kHardened) != 0) {
        data.push_back(0);
        data.insert(data.end(), key_.bytes().begin(), key_.bytes().end());
    } else {
        const auto pub = compressedPublicKey();
        data.insert(data.end(), pub.begin(), pub.end());
    }
    putU32(data, index);
    I512 i = hmacSha512(ByteSpan(chainCode_.data(), chainCode_.size()), data);
    wipe(data);
    std::array<std::uint8_t, 32> child = key_.bytes();
    // k_i = parse256(IL) + k_par (mod n); fails when IL >= n or the sum is 0.
    const int ok = secp256k1_ec_seckey_tweak_add(signingContext(), child.data(), i.data());
    std::array<std::uint8_t, 32> chain{};
    std::copy(i.begin() + 32, i.end(), chain.begin());
    wipe(i.data(), i.size());
    if (ok != 1) {
        wipe(child.data(), child.size());
        return Unexpected(WalletError{WalletErrc::DerivationFailed, "invalid child at index " + std::to_string(index)});
    }
    auto key = SecretKey::fromBytes(child);
    wipe(child.data(), child.size());
    if (!key) return Unexpected(WalletError{WalletErrc::DerivationFailed, "invalid child key"});
    return ExtendedKey(std::move(key).value(), chain, static_cast<std::uint8_t>(depth_ + 1),
                       fingerprint(compressedPublicKey()), index);
}

Expected<ExtendedKey, WalletError> ExtendedKey::derivePath(const DerivationPath& path) const {
    ExtendedKey cur(key_.copy(), chainCode_, depth_, parentFingerprint_, childNumber_);
    for (std::uint32_t step : path.steps()) {
        auto next = cur.deriveChild(step);
        if (!next) return Unexpected(next.error());
        cur = std::move(next).value();
    }
    return cur;
}

Bytes ExtendedKey::serialize(bool priv) const {
    Bytes out;
    out.reserve(78);
    putU32(out, priv ? 0x0488ADE4U : 0x0488B21EU);
    out.push_back(depth_);
    putU32(out, parentFingerprint_);
    putU32(out, childNumber_);
    out.insert(out.end(), chainCode_.begin(), chainCode_.end());
    if (priv) {
        out.push_back(0);
        out.insert(out.end(), key_.bytes().begin(), key_.bytes().end());
    } else {
        const auto pub = compressedPublicKey();
        out.insert(out.end(), pub.begin(), pub.end());
    }
    return out;
}

std::string ExtendedKey::toXprv() const {
    Bytes raw = serialize(true);
    std::string s = base58CheckEncode(raw);
    wipe(raw);
    return s;
}

std::string ExtendedKey::toXpub() const {
    return base58CheckEncode(serialize(false));
}

}  // namespace agora::wallet
