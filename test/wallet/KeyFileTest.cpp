#include "wallet/KeyFile.h"

#include <sys/stat.h>
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "TempDir.h"

using namespace agora;
using namespace agora::wallet;
using agora::wallet::test::TempDir;

namespace {

constexpr KdfParams kFast = KdfParams::fastForTests();

std::string readAll(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void writeAll(const std::filesystem::path& p, const std::string& s) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << s;
}

KeyMaterial mnemonicMaterial() {
    auto km = KeyMaterial::fromMnemonic(Mnemonic::generate());
    REQUIRE(km);
    return std::move(km).value();
}

}  // namespace

TEST_CASE("Key file round-trips a mnemonic key and a raw key", "[wallet][keyfile]") {
    TempDir dir;
    const KeyMaterial withWords = mnemonicMaterial();
    auto f = KeyFile::encrypt(withWords, "correct horse", kFast);
    REQUIRE(f);
    REQUIRE(f->save(dir.path() / "a.json", WriteMode::CreateNew));

    auto loaded = KeyFile::load(dir.path() / "a.json");
    REQUIRE(loaded);
    CHECK(loaded->address() == withWords.key.address());
    CHECK(loaded->publicKey() == withWords.key.publicKey());
    CHECK(loaded->hdPath() == "m/44'/118'/0'/0/0");
    CHECK(loaded->kdf() == kFast);
    auto back = loaded->decrypt("correct horse");
    REQUIRE(back);
    CHECK(back->key.bytes() == withWords.key.bytes());
    REQUIRE(back->mnemonic);
    CHECK(back->mnemonic->phrase() == withWords.mnemonic->phrase());
    CHECK(back->hdPath == withWords.hdPath);

    const KeyMaterial raw = KeyMaterial::fromSecretKey(SecretKey::generate());
    auto rf = KeyFile::encrypt(raw, "", kFast);  // an empty passphrase is allowed
    REQUIRE(rf);
    auto rback = KeyFile::fromJson(rf->toJson());
    REQUIRE(rback);
    auto rkey = rback->decrypt("");
    REQUIRE(rkey);
    CHECK(rkey->key.bytes() == raw.key.bytes());
    CHECK_FALSE(rkey->mnemonic);
    CHECK(rback->hdPath().empty());
}

TEST_CASE("Key file is written with mode 0600 and never overwritten by CreateNew", "[wallet][keyfile]") {
    TempDir dir;
    const auto path = dir.path() / "k.json";
    auto f = KeyFile::encrypt(KeyMaterial::fromSecretKey(SecretKey::generate()), "pw", kFast);
    REQUIRE(f);
    REQUIRE(f->save(path, WriteMode::CreateNew));
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    const std::string before = readAll(path);
    auto again = f->save(path, WriteMode::CreateNew);
    REQUIRE_FALSE(again);
    CHECK(again.error().code == WalletErrc::KeyExists);
    CHECK(readAll(path) == before);
    // No temporary files are left behind.
    int entries = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) ++entries;
    CHECK(entries == 1);
}

TEST_CASE("Wrong passphrase is a typed 'wrong passphrase' error", "[wallet][keyfile]") {
    auto f = KeyFile::encrypt(mnemonicMaterial(), "right", kFast);
    REQUIRE(f);
    auto r = f->decrypt("wrong");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == WalletErrc::WrongPassphrase);
    CHECK(r.error().message() == "wrong passphrase");
}

TEST_CASE("Truncated key file is a corrupt-file error and stays untouched", "[wallet][keyfile]") {
    TempDir dir;
    const auto path = dir.path() / "t.json";
    auto f = KeyFile::encrypt(KeyMaterial::fromSecretKey(SecretKey::generate()), "pw", kFast);
    REQUIRE(f);
    const std::string full = f->toJson();
    for (std::size_t cut : {std::size_t{0}, std::size_t{1}, full.size() / 2, full.size() - 3}) {
        INFO("cut at " << cut);
        const std::string truncated = full.substr(0, cut);
        writeAll(path, truncated);
        auto r = KeyFile::load(path);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == WalletErrc::CorruptKeyFile);
        CHECK(readAll(path) == truncated);
    }
}

TEST_CASE("Corrupt JSON and ill-typed fields are corrupt-file errors", "[wallet][keyfile]") {
    auto f = KeyFile::encrypt(KeyMaterial::fromSecretKey(SecretKey::generate()), "pw", kFast);
    REQUIRE(f);
    const auto good = nlohmann::json::parse(f->toJson());

    CHECK(KeyFile::fromJson("{not json").error().code == WalletErrc::CorruptKeyFile);
    CHECK(KeyFile::fromJson("[]").error().code == WalletErrc::CorruptKeyFile);

    auto mutate = [&](auto&& edit) {
        auto j = good;
        edit(j);
        return KeyFile::fromJson(j.dump());
    };
    CHECK(mutate([](auto& j) { j.erase("public_key"); }).error().code == WalletErrc::CorruptKeyFile);
    CHECK(mutate([](auto& j) { j["address"] = 5; }).error().code == WalletErrc::CorruptKeyFile);
    CHECK(mutate([](auto& j) { j["crypto"]["nonce"] = "00"; }).error().code == WalletErrc::CorruptKeyFile);
    CHECK(mutate([](auto& j) { j["crypto"]["ciphertext"] = "zz"; }).error().code == WalletErrc::CorruptKeyFile);
    CHECK(mutate([](auto& j) { j["crypto"]["kdf_params"]["n"] = 1000; }).error().code == WalletErrc::CorruptKeyFile);
    // A hostile cost parameter must not make the wallet allocate gigabytes.
    CHECK(mutate([](auto& j) { j["crypto"]["kdf_params"]["n"] = 1ULL << 30; }).error().code ==
          WalletErrc::CorruptKeyFile);
    CHECK(mutate([](auto& j) { j["version"] = 2; }).error().code == WalletErrc::UnsupportedKeyFile);
    CHECK(mutate([](auto& j) { j["crypto"]["kdf"] = "pbkdf2"; }).error().code == WalletErrc::UnsupportedKeyFile);
    CHECK(mutate([](auto& j) { j["crypto"]["cipher"] = "aes-128-ctr"; }).error().code ==
          WalletErrc::UnsupportedKeyFile);
    CHECK(mutate([](auto&) {}));
}

TEST_CASE("Tampered ciphertext, nonce or header fails decryption", "[wallet][keyfile]") {
    auto f = KeyFile::encrypt(mnemonicMaterial(), "pw", kFast);
    REQUIRE(f);
    const auto good = nlohmann::json::parse(f->toJson());
    auto flipHex = [](std::string hex, std::size_t pos) {
        hex[pos] = hex[pos] == '0' ? '1' : '0';
        return hex;
    };
    const std::string ct = good["crypto"]["ciphertext"];
    for (std::size_t pos : {std::size_t{0}, ct.size() / 2, ct.size() - 1}) {
        auto j = good;
        j["crypto"]["ciphertext"] = flipHex(ct, pos);
        auto kf = KeyFile::fromJson(j.dump());
        REQUIRE(kf);
        auto r = kf->decrypt("pw");
        REQUIRE_FALSE(r);
        CHECK(r.error().code == WalletErrc::WrongPassphrase);
    }
    {
        auto j = good;
        j["crypto"]["nonce"] = flipHex(good["crypto"]["nonce"], 3);
        CHECK(KeyFile::fromJson(j.dump())->decrypt("pw").error().code == WalletErrc::WrongPassphrase);
    }
    {
        // The header is authenticated: swapping in another key's address and
        // public key is detected even with the right passphrase.
        const SecretKey other = SecretKey::generate();
        auto j = good;
        j["public_key"] = other.publicKey().toHex();
        j["address"] = other.address().toBech32();
        auto kf = KeyFile::fromJson(j.dump());
        REQUIRE(kf);
        CHECK_FALSE(kf->decrypt("pw"));
    }
    {
        auto j = good;
        j["hd_path"] = "m/44'/118'/0'/0/1";
        CHECK(KeyFile::fromJson(j.dump())->decrypt("pw").error().code == WalletErrc::WrongPassphrase);
    }
}

TEST_CASE("Unacceptable scrypt parameters are refused when encrypting", "[wallet][keyfile]") {
    auto r = KeyFile::encrypt(KeyMaterial::fromSecretKey(SecretKey::generate()), "pw", KdfParams{25, 8, 1});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == WalletErrc::InvalidKdfParams);
    CHECK(KdfParams::production().n() == 32768);
    CHECK(KdfParams::production().isAcceptable());
}
