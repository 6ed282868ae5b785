#pragma once
// WalletError: what can go wrong on the secret side that a user can cause
// (a mistyped mnemonic, a wrong passphrase, a damaged key file). The numeric
// codes are stable: scripts and the CLI's JSON output may rely on them.

#include <string>
#include <string_view>

namespace agora::wallet {

enum class WalletErrc : int {
    InvalidSecretKey = 1,     // 32 bytes that are zero or >= the curve order
    MnemonicWordCount = 2,    // not 12, 15, 18, 21 or 24 words
    MnemonicUnknownWord = 3,  // a word not in the BIP-39 English list
    MnemonicChecksum = 4,     // all words known, checksum bits wrong
    InvalidEntropy = 5,       // entropy length not 16..32 bytes in steps of 4
    InvalidPath = 6,          // derivation path text malformed
    DerivationFailed = 7,     // BIP-32 produced an invalid key (~2^-127 chance)
    WrongPassphrase = 8,      // AES-GCM tag check failed
    CorruptKeyFile = 9,       // not JSON, missing/ill-typed fields, truncated
    UnsupportedKeyFile = 10,  // a version, KDF or cipher this build does not know
    KeyFileMismatch = 11,     // decrypted key does not match the stored public key
    Io = 12,                  // the OS refused a read, write, rename or mkdir
    InvalidKeyName = 13,      // key name outside [A-Za-z0-9._-]{1,64} or starting with '.'
    KeyExists = 14,           // adding a key under a name already used
    KeyNotFound = 15,         // no key file under that name
    InvalidTx = 16,           // tx fields outside the protocol bounds, or signer mismatch
    InvalidKdfParams = 17,    // scrypt parameters out of the accepted range
};

struct WalletError {
    WalletErrc code;
    std::string detail;  // human context, e.g. the offending word or path

    // One line for a user: "wrong passphrase", "unknown word 'foo' at position 3", ...
    std::string message() const;
};

// Stable short name of a code, e.g. "wrong_passphrase".
std::string_view errorName(WalletErrc code);

}  // namespace agora::wallet
