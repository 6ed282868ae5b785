#include "wallet/Keyring.h"

#include <sys/stat.h>
#include <catch2/catch.hpp>
#include <fstream>

#include "TempDir.h"

using namespace agora;
using namespace agora::wallet;
using agora::wallet::test::TempDir;

TEST_CASE("Keyring adds, lists, shows, unlocks and removes keys", "[wallet][keyring]") {
    TempDir tmp;
    Keyring ring(tmp.path() / "keyring", KdfParams::fastForTests());
    auto listed0 = ring.list();
    REQUIRE(listed0);
    CHECK(listed0->keys.empty());  // the directory does not exist yet

    const SecretKey k1 = SecretKey::generate();
    auto bob = ring.add("bob", KeyMaterial::fromSecretKey(k1.copy()), "pw");
    REQUIRE(bob);
    CHECK(bob->address == k1.address());
    auto alice = ring.add("alice", *KeyMaterial::fromMnemonic(Mnemonic::generate()), "pw2");
    REQUIRE(alice);

    struct stat st {};
    REQUIRE(::stat(ring.dir().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);

    auto listed = ring.list();
    REQUIRE(listed);
    REQUIRE(listed->keys.size() == 2);
    CHECK(listed->keys[0].name == "alice");
    CHECK(listed->keys[1].name == "bob");
    CHECK(listed->keys[0].hdPath == "m/44'/118'/0'/0/0");
    CHECK(listed->keys[1].hdPath.empty());

    auto info = ring.info("bob");
    REQUIRE(info);
    CHECK(info->publicKey == k1.publicKey());

    auto unlocked = ring.unlock("bob", "pw");
    REQUIRE(unlocked);
    CHECK(unlocked->key.bytes() == k1.bytes());
    CHECK(ring.unlock("bob", "nope").error().code == WalletErrc::WrongPassphrase);

    auto dup = ring.add("bob", KeyMaterial::fromSecretKey(SecretKey::generate()), "pw");
    REQUIRE_FALSE(dup);
    CHECK(dup.error().code == WalletErrc::KeyExists);
    CHECK(ring.unlock("bob", "pw")->key.bytes() == k1.bytes());  // untouched

    REQUIRE(ring.remove("bob"));
    CHECK(ring.info("bob").error().code == WalletErrc::KeyNotFound);
    CHECK(ring.remove("bob").error().code == WalletErrc::KeyNotFound);
    CHECK(ring.list()->keys.size() == 1);
}

TEST_CASE("Keyring rejects names that could escape the directory or confuse the CLI", "[wallet][keyring]") {
    for (const char* bad : {"", ".hidden", "-flag", "a/b", "../x", "a b", "ключ",
                            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}) {
        INFO(bad);
        auto r = Keyring::validateName(bad);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == WalletErrc::InvalidKeyName);
    }
    for (const char* good : {"a", "validator-1", "my_key.v2", "A9"}) {
        INFO(good);
        CHECK(Keyring::validateName(good));
    }
}

TEST_CASE("Keyring list reports an unreadable key file without hiding the others", "[wallet][keyring]") {
    TempDir tmp;
    Keyring ring(tmp.path(), KdfParams::fastForTests());
    REQUIRE(ring.add("good", KeyMaterial::fromSecretKey(SecretKey::generate()), "pw"));
    std::ofstream(tmp.path() / "broken.json") << "{\"version\":1,";
    std::ofstream(tmp.path() / "notes.txt") << "not a key";
    auto listed = ring.list();
    REQUIRE(listed);
    REQUIRE(listed->keys.size() == 1);
    CHECK(listed->keys[0].name == "good");
    REQUIRE(listed->unreadable.size() == 1);
    CHECK(listed->unreadable[0].code == WalletErrc::CorruptKeyFile);
}
