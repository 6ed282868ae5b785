#pragma once
// KeyMaterial: what an encrypted key file protects. A secret key and, when
// the key was derived from a mnemonic, that mnemonic and the derivation path
// (so `agora keys export` can show the words again).

#include <optional>
#include <string>

#include "consensus/core/Expected.h"
#include "wallet/DerivationPath.h"
#include "wallet/Mnemonic.h"
#include "wallet/SecretKey.h"
#include "wallet/WalletError.h"

namespace agora::wallet {

struct KeyMaterial {
    SecretKey key;
    std::optional<Mnemonic> mnemonic;  // set when the key came from a mnemonic
    std::string hdPath;                // derivation path used, empty without a mnemonic

    // The key at `path` below the mnemonic's seed (BIP-39 passphrase empty,
    // as Agora wallets never use one; the key file passphrase protects the file).
    static Expected<KeyMaterial, WalletError> fromMnemonic(Mnemonic mnemonic,
                                                           std::string_view path = kDefaultDerivationPath);
    static KeyMaterial fromSecretKey(SecretKey key) { return KeyMaterial{std::move(key), std::nullopt, {}}; }
};

}  // namespace agora::wallet
