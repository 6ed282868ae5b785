#pragma once
// Keyring: a directory of key files, one "<name>.json" per key, directory
// mode 0700 and file mode 0600. Names are 1..64 characters of [A-Za-z0-9._-]
// and may not start with '.' or '-'. Listing and showing read only the public
// header; unlocking needs the passphrase.

#include <filesystem>
#include <string>
#include <vector>

#include "consensus/core/Address.h"
#include "consensus/core/Expected.h"
#include "consensus/core/PublicKey.h"
#include "wallet/KdfParams.h"
#include "wallet/KeyMaterial.h"
#include "wallet/WalletError.h"

namespace agora::wallet {

struct KeyInfo {
    std::string name;
    Address address;
    PublicKey publicKey;
    std::string hdPath;  // empty for keys imported as a raw secret
};

struct KeyListing {
    std::vector<KeyInfo> keys;            // sorted by name
    std::vector<WalletError> unreadable;  // files that look like keys but do not parse
};

class Keyring {
public:
    explicit Keyring(std::filesystem::path dir, KdfParams kdf = KdfParams::production())
        : dir_(std::move(dir)), kdf_(kdf) {}

    // $HOME/.agora/keyring (or ./.agora/keyring without HOME).
    static std::filesystem::path defaultDir();
    static Expected<void, WalletError> validateName(std::string_view name);

    const std::filesystem::path& dir() const { return dir_; }
    std::filesystem::path pathOf(std::string_view name) const;
    bool contains(std::string_view name) const;

    // Encrypts and stores; KeyExists when the name is taken.
    Expected<KeyInfo, WalletError> add(std::string_view name, const KeyMaterial& material, std::string_view passphrase);
    Expected<KeyInfo, WalletError> info(std::string_view name) const;
    Expected<KeyListing, WalletError> list() const;
    Expected<KeyMaterial, WalletError> unlock(std::string_view name, std::string_view passphrase) const;
    Expected<void, WalletError> remove(std::string_view name);

private:
    Expected<void, WalletError> ensureDir() const;

    std::filesystem::path dir_;
    KdfParams kdf_;
};

}  // namespace agora::wallet
