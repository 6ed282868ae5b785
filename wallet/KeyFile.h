#pragma once
// KeyFile: one encrypted key on disk (docs/keys.md has the exact format).
//
//   {"version":1, "address":"agora1...", "public_key":"<hex x-only>",
//    "hd_path":"m/44'/118'/0'/0/0" or "",
//    "crypto":{"kdf":"scrypt","kdf_params":{"n":32768,"r":8,"p":1,"salt":"<hex 32>"},
//              "cipher":"aes-256-gcm","nonce":"<hex 12>","ciphertext":"<hex, 16-byte tag last>"}}
//
// The AES-256-GCM key is scrypt(passphrase, salt). The plaintext is the
// 32-byte secret key followed by the mnemonic phrase (may be empty). The
// public header (version, address, public key, path) is the GCM associated
// data, so editing any of it makes decryption fail like a wrong passphrase.
// Reading never modifies the file.

#include <filesystem>
#include <string>
#include <string_view>

#include "consensus/core/Address.h"
#include "consensus/core/Bytes.h"
#include "consensus/core/Expected.h"
#include "consensus/core/PublicKey.h"
#include "wallet/AtomicFile.h"
#include "wallet/KdfParams.h"
#include "wallet/KeyMaterial.h"
#include "wallet/WalletError.h"

namespace agora::wallet {

inline constexpr int kKeyFileVersion = 1;
inline constexpr std::size_t kKeyFileMaxBytes = std::size_t{64} * 1024;

class KeyFile {
public:
    // Encrypts with a fresh random salt and nonce. InvalidKdfParams when
    // kdf.isAcceptable() is false.
    static Expected<KeyFile, WalletError> encrypt(const KeyMaterial& material, std::string_view passphrase,
                                                  KdfParams kdf = KdfParams::production());

    // WrongPassphrase on a GCM tag failure; KeyFileMismatch or CorruptKeyFile
    // when the decrypted content disagrees with the header.
    Expected<KeyMaterial, WalletError> decrypt(std::string_view passphrase) const;

    std::string toJson() const;
    // CorruptKeyFile (not JSON, truncated, missing or ill-typed fields),
    // UnsupportedKeyFile (unknown version, kdf or cipher).
    static Expected<KeyFile, WalletError> fromJson(std::string_view text);

    static Expected<KeyFile, WalletError> load(const std::filesystem::path& path);
    Expected<void, WalletError> save(const std::filesystem::path& path, WriteMode mode) const;

    const Address& address() const { return address_; }
    const PublicKey& publicKey() const { return publicKey_; }
    const std::string& hdPath() const { return hdPath_; }
    const KdfParams& kdf() const { return kdf_; }

private:
    KeyFile() = default;
    std::string associatedData() const;

    Address address_;
    PublicKey publicKey_;
    std::string hdPath_;
    KdfParams kdf_;
    Bytes salt_;
    Bytes nonce_;
    Bytes ciphertext_;  // includes the 16-byte GCM tag at the end
};

}  // namespace agora::wallet
