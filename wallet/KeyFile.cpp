#include "wallet/KeyFile.h"

#include <cryptopp/aes.h>
#include <cryptopp/gcm.h>
#include <cryptopp/scrypt.h>
#include <nlohmann/json.hpp>

#include "wallet/SecureRandom.h"
#include "wallet/Wipe.h"

namespace agora::wallet {
namespace {

using nlohmann::json;

constexpr std::size_t kSaltSize = 32;
constexpr std::size_t kNonceSize = 12;
constexpr std::size_t kTagSize = 16;
constexpr std::string_view kKdfName = "scrypt";
constexpr std::string_view kCipherName = "aes-256-gcm";

using AesKey = std::array<std::uint8_t, 32>;

AesKey deriveKey(std::string_view passphrase, ByteSpan salt, const KdfParams& kdf) {
    AesKey key{};
    CryptoPP::Scrypt scrypt;
    scrypt.DeriveKey(key.data(), key.size(), reinterpret_cast<const CryptoPP::byte*>(passphrase.data()),
                     passphrase.size(), salt.data(), salt.size(), kdf.n(), kdf.r, kdf.p);
    return key;
}

WalletError corrupt(std::string detail) {
    return WalletError{WalletErrc::CorruptKeyFile, std::move(detail)};
}

}  // namespace

std::string KeyFile::associatedData() const {
    // Binds the plaintext header to the ciphertext.
    return "agora-keyfile/v" + std::to_string(kKeyFileVersion) + "\n" + address_.toBech32() + "\n" +
           publicKey_.toHex() + "\n" + hdPath_;
}

Expected<KeyFile, WalletError> KeyFile::encrypt(const KeyMaterial& material, std::string_view passphrase,
                                                KdfParams kdf) {
    if (!kdf.isAcceptable()) return Unexpected(WalletError{WalletErrc::InvalidKdfParams, "scrypt parameters"});
    KeyFile f;
    f.publicKey_ = material.key.publicKey();
    f.address_ = Address::fromPublicKey(f.publicKey_);
    f.hdPath_ = material.mnemonic ? material.hdPath : std::string();
    f.kdf_ = kdf;
    f.salt_.resize(kSaltSize);
    fillSecureRandom(f.salt_);
    f.nonce_.resize(kNonceSize);
    fillSecureRandom(f.nonce_);

    Bytes plain(material.key.bytes().begin(), material.key.bytes().end());
    if (material.mnemonic) {
        const auto& phrase = material.mnemonic->phrase();
        plain.insert(plain.end(), phrase.begin(), phrase.end());
    }
    AesKey key = deriveKey(passphrase, f.salt_, kdf);
    const std::string aad = f.associatedData();
    f.ciphertext_.resize(plain.size() + kTagSize);
    CryptoPP::GCM<CryptoPP::AES>::Encryption enc;
    enc.SetKeyWithIV(key.data(), key.size(), f.nonce_.data(), f.nonce_.size());
    enc.EncryptAndAuthenticate(f.ciphertext_.data(), f.ciphertext_.data() + plain.size(), kTagSize, f.nonce_.data(),
                               static_cast<int>(f.nonce_.size()), reinterpret_cast<const CryptoPP::byte*>(aad.data()),
                               aad.size(), plain.data(), plain.size());
    wipe(key.data(), key.size());
    wipe(plain);
    return f;
}

Expected<KeyMaterial, WalletError> KeyFile::decrypt(std::string_view passphrase) const {
    if (ciphertext_.size() < kTagSize + SecretKey::kSize) return Unexpected(corrupt("ciphertext too short"));
    AesKey key = deriveKey(passphrase, salt_, kdf_);
    const std::string aad = associatedData();
    const std::size_t plainSize = ciphertext_.size() - kTagSize;
    Bytes plain(plainSize);
    CryptoPP::GCM<CryptoPP::AES>::Decryption dec;
    dec.SetKeyWithIV(key.data(), key.size(), nonce_.data(), nonce_.size());
    const bool ok = dec.DecryptAndVerify(
        plain.data(), ciphertext_.data() + plainSize, kTagSize, nonce_.data(), static_cast<int>(nonce_.size()),
        reinterpret_cast<const CryptoPP::byte*>(aad.data()), aad.size(), ciphertext_.data(), plainSize);
    wipe(key.data(), key.size());
    if (!ok) {
        wipe(plain);
        // GCM cannot tell a wrong passphrase from edited bytes; the passphrase is by far the common cause.
        return Unexpected(WalletError{WalletErrc::WrongPassphrase, {}});
    }
    auto secret = SecretKey::fromBytes(ByteSpan(plain.data(), SecretKey::kSize));
    std::string phrase(plain.begin() + SecretKey::kSize, plain.end());
    wipe(plain);
    if (!secret) {
        wipe(phrase);
        return Unexpected(corrupt("stored secret key is invalid"));
    }
    if (secret->publicKey() != publicKey_) {
        wipe(phrase);
        return Unexpected(WalletError{WalletErrc::KeyFileMismatch, {}});
    }
    if (phrase.empty()) return KeyMaterial::fromSecretKey(std::move(secret).value());
    auto mnemonic = Mnemonic::parse(phrase);
    wipe(phrase);
    if (!mnemonic) return Unexpected(corrupt("stored mnemonic is invalid"));
    return KeyMaterial{std::move(secret).value(), std::move(mnemonic).value(), hdPath_};
}

std::string KeyFile::toJson() const {
    // Ordered so the file reads top-down: version and public header first.
    nlohmann::ordered_json j;
    j["version"] = kKeyFileVersion;
    j["address"] = address_.toBech32();
    j["public_key"] = publicKey_.toHex();
    j["hd_path"] = hdPath_;
    nlohmann::ordered_json params;
    params["n"] = kdf_.n();
    params["r"] = kdf_.r;
    params["p"] = kdf_.p;
    params["salt"] = toHex(salt_);
    nlohmann::ordered_json crypto;
    crypto["kdf"] = kKdfName;
    crypto["kdf_params"] = std::move(params);
    crypto["cipher"] = kCipherName;
    crypto["nonce"] = toHex(nonce_);
    crypto["ciphertext"] = toHex(ciphertext_);
    j["crypto"] = std::move(crypto);
    return j.dump(2) + "\n";
}

Expected<KeyFile, WalletError> KeyFile::fromJson(std::string_view text) {
    const json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return Unexpected(corrupt("not valid JSON (truncated?)"));
    if (!j.is_object()) return Unexpected(corrupt("not a JSON object"));

    auto str = [&](const json& obj, const char* name) -> const std::string* {
        auto it = obj.find(name);
        if (it == obj.end() || !it->is_string()) return nullptr;
        return it->get_ptr<const std::string*>();
    };
    auto uint = [&](const json& obj, const char* name) -> std::optional<std::uint64_t> {
        auto it = obj.find(name);
        if (it == obj.end() || !it->is_number_unsigned()) return std::nullopt;
        return it->get<std::uint64_t>();
    };

    const auto version = uint(j, "version");
    if (!version) return Unexpected(corrupt("missing version"));
    if (*version != kKeyFileVersion) {
        return Unexpected(WalletError{WalletErrc::UnsupportedKeyFile, "version " + std::to_string(*version)});
    }
    KeyFile f;
    const std::string* addr = str(j, "address");
    const std::string* pub = str(j, "public_key");
    const std::string* path = str(j, "hd_path");
    if (addr == nullptr || pub == nullptr || path == nullptr) return Unexpected(corrupt("missing header field"));
    auto address = Address::fromBech32(*addr);
    auto publicKey = PublicKey::fromHex(*pub);
    if (!address || !publicKey || !publicKey->isValid()) return Unexpected(corrupt("bad address or public key"));
    if (Address::fromPublicKey(*publicKey) != *address) return Unexpected(corrupt("address does not match public key"));
    if (!path->empty() && !DerivationPath::parse(*path)) return Unexpected(corrupt("bad hd_path"));
    f.address_ = *address;
    f.publicKey_ = *publicKey;
    f.hdPath_ = *path;

    auto cit = j.find("crypto");
    if (cit == j.end() || !cit->is_object()) return Unexpected(corrupt("missing crypto"));
    const json& c = *cit;
    const std::string* kdfName = str(c, "kdf");
    const std::string* cipherName = str(c, "cipher");
    if (kdfName == nullptr || cipherName == nullptr) return Unexpected(corrupt("missing kdf or cipher"));
    if (*kdfName != kKdfName) return Unexpected(WalletError{WalletErrc::UnsupportedKeyFile, "kdf " + *kdfName});
    if (*cipherName != kCipherName) {
        return Unexpected(WalletError{WalletErrc::UnsupportedKeyFile, "cipher " + *cipherName});
    }
    auto pit = c.find("kdf_params");
    if (pit == c.end() || !pit->is_object()) return Unexpected(corrupt("missing kdf_params"));
    const auto n = uint(*pit, "n");
    const auto r = uint(*pit, "r");
    const auto p = uint(*pit, "p");
    const std::string* salt = str(*pit, "salt");
    if (!n || !r || !p || salt == nullptr) return Unexpected(corrupt("incomplete kdf_params"));
    if (*n < 2 || (*n & (*n - 1)) != 0 || *r > 0xFFFFFFFFULL || *p > 0xFFFFFFFFULL) {
        return Unexpected(corrupt("bad scrypt parameters"));
    }
    KdfParams kdf;
    kdf.logN = static_cast<std::uint8_t>(__builtin_ctzll(*n));
    kdf.r = static_cast<std::uint32_t>(*r);
    kdf.p = static_cast<std::uint32_t>(*p);
    if (!kdf.isAcceptable()) return Unexpected(corrupt("scrypt parameters out of range"));
    f.kdf_ = kdf;

    auto saltBytes = fromHex(*salt);
    const std::string* nonce = str(c, "nonce");
    const std::string* ct = str(c, "ciphertext");
    if (!saltBytes || saltBytes->size() < 16 || saltBytes->size() > 64) return Unexpected(corrupt("bad salt"));
    if (nonce == nullptr || ct == nullptr) return Unexpected(corrupt("missing nonce or ciphertext"));
    auto nonceBytes = fromHex(*nonce);
    auto ctBytes = fromHex(*ct);
    if (!nonceBytes || nonceBytes->size() != kNonceSize) return Unexpected(corrupt("bad nonce"));
    if (!ctBytes || ctBytes->size() < kTagSize + SecretKey::kSize) return Unexpected(corrupt("bad ciphertext"));
    f.salt_ = std::move(*saltBytes);
    f.nonce_ = std::move(*nonceBytes);
    f.ciphertext_ = std::move(*ctBytes);
    return f;
}

Expected<KeyFile, WalletError> KeyFile::load(const std::filesystem::path& path) {
    auto text = readSmallFile(path, kKeyFileMaxBytes);
    if (!text) return Unexpected(text.error());
    auto f = fromJson(*text);
    if (!f) return Unexpected(WalletError{f.error().code, path.filename().string() + ": " + f.error().detail});
    return f;
}

Expected<void, WalletError> KeyFile::save(const std::filesystem::path& path, WriteMode mode) const {
    return writeFileAtomic(path, toJson(), mode);
}

}  // namespace agora::wallet
