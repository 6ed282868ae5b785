#pragma once
// BIP-32 extended private key: a secret key with its chain code and position
// in the tree. Master from a seed with HMAC-SHA512("Bitcoin seed", seed);
// children by CKDpriv (hardened and normal). Serialises to xprv/xpub
// (mainnet version bytes) so the BIP-32 test vectors can be checked verbatim.

#include <array>
#include <cstdint>
#include <string>

#include "consensus/core/Bytes.h"
#include "consensus/core/Expected.h"
#include "wallet/DerivationPath.h"
#include "wallet/SecretKey.h"
#include "wallet/WalletError.h"

namespace agora::wallet {

class ExtendedKey {
public:
    // seed: 16..64 bytes (BIP-32); DerivationFailed if the master key is invalid.
    static Expected<ExtendedKey, WalletError> fromSeed(ByteSpan seed);

    Expected<ExtendedKey, WalletError> deriveChild(std::uint32_t index) const;
    Expected<ExtendedKey, WalletError> derivePath(const DerivationPath& path) const;

    const SecretKey& secretKey() const { return key_; }
    const std::array<std::uint8_t, 32>& chainCode() const { return chainCode_; }
    std::uint8_t depth() const { return depth_; }
    std::uint32_t childNumber() const { return childNumber_; }
    // 33-byte SEC1 compressed public key (the BIP-32 serP).
    std::array<std::uint8_t, 33> compressedPublicKey() const;

    std::string toXprv() const;
    std::string toXpub() const;

private:
    ExtendedKey(SecretKey key, const std::array<std::uint8_t, 32>& chainCode, std::uint8_t depth,
                std::uint32_t parentFingerprint, std::uint32_t childNumber);
    Bytes serialize(bool priv) const;

    SecretKey key_;
    std::array<std::uint8_t, 32> chainCode_{};
    std::uint8_t depth_ = 0;
    std::uint32_t parentFingerprint_ = 0;
    std::uint32_t childNumber_ = 0;
};

}  // namespace agora::wallet
