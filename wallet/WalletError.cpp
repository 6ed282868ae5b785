#include "wallet/WalletError.h"

namespace agora::wallet {

std::string_view errorName(WalletErrc code) {
    switch (code) {
        case WalletErrc::InvalidSecretKey:
            return "invalid_secret_key";
        case WalletErrc::MnemonicWordCount:
            return "mnemonic_word_count";
        case WalletErrc::MnemonicUnknownWord:
            return "mnemonic_unknown_word";
        case WalletErrc::MnemonicChecksum:
            return "mnemonic_checksum";
        case WalletErrc::InvalidEntropy:
            return "invalid_entropy";
        case WalletErrc::InvalidPath:
            return "invalid_path";
        case WalletErrc::DerivationFailed:
            return "derivation_failed";
        case WalletErrc::WrongPassphrase:
            return "wrong_passphrase";
        case WalletErrc::CorruptKeyFile:
            return "corrupt_key_file";
        case WalletErrc::UnsupportedKeyFile:
            return "unsupported_key_file";
        case WalletErrc::KeyFileMismatch:
            return "key_file_mismatch";
        case WalletErrc::Io:
            return "io";
        case WalletErrc::InvalidKeyName:
            return "invalid_key_name";
        case WalletErrc::KeyExists:
            return "key_exists";
        case WalletErrc::KeyNotFound:
            return "key_not_found";
        case WalletErrc::InvalidTx:
            return "invalid_tx";
        case WalletErrc::InvalidKdfParams:
            return "invalid_kdf_params";
    }
    return "unknown";
}

std::string WalletError::message() const {
    std::string base;
    switch (code) {
        case WalletErrc::InvalidSecretKey:
            base = "invalid secret key";
            break;
        case WalletErrc::MnemonicWordCount:
            base = "wrong number of mnemonic words";
            break;
        case WalletErrc::MnemonicUnknownWord:
            base = "unknown mnemonic word";
            break;
        case WalletErrc::MnemonicChecksum:
            base = "bad mnemonic checksum";
            break;
        case WalletErrc::InvalidEntropy:
            base = "invalid entropy length";
            break;
        case WalletErrc::InvalidPath:
            base = "invalid derivation path";
            break;
        case WalletErrc::DerivationFailed:
            base = "key derivation failed";
            break;
        case WalletErrc::WrongPassphrase:
            base = "wrong passphrase";
            break;
        case WalletErrc::CorruptKeyFile:
            base = "corrupt key file";
            break;
        case WalletErrc::UnsupportedKeyFile:
            base = "unsupported key file";
            break;
        case WalletErrc::KeyFileMismatch:
            base = "key file does not match its public key";
            break;
        case WalletErrc::Io:
            base = "i/o error";
            break;
        case WalletErrc::InvalidKeyName:
            base = "invalid key name";
            break;
        case WalletErrc::KeyExists:
            base = "key already exists";
            break;
        case WalletErrc::KeyNotFound:
            base = "key not found";
            break;
        case WalletErrc::InvalidTx:
            base = "invalid transaction";
            break;
        case WalletErrc::InvalidKdfParams:
            base = "invalid key derivation parameters";
            break;
    }
    if (detail.empty()) return base;
    return base + ": " + detail;
}

}  // namespace agora::wallet
