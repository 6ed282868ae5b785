#include "wallet/Mnemonic.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "consensus/core/Hash256.h"
#include "wallet/Bip39English.h"
#include "wallet/ExtendedKey.h"

using namespace agora;
using namespace agora::wallet;

TEST_CASE("Embedded BIP-39 English list is byte-identical to the official english.txt", "[wallet][bip39]") {
    std::string file;
    for (auto w : bip39EnglishWords()) {
        file.append(w);
        file += '\n';
    }
    CHECK(sha256(asBytes(file)).toHex() == "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda");
}

TEST_CASE("Trezor BIP-39 vectors: entropy -> mnemonic -> seed (TREZOR) -> master xprv, all rows", "[wallet][bip39]") {
    std::ifstream in(std::string(AGORA_TEST_DATA_DIR) + "/bip39-trezor-vectors.json");
    REQUIRE(in.good());
    const auto j = nlohmann::json::parse(in);
    const auto& rows = j.at("english");
    REQUIRE(rows.size() == 24);
    for (const auto& row : rows) {
        const std::string entropyHex = row.at(0);
        const std::string phrase = row.at(1);
        const std::string seedHex = row.at(2);
        const std::string xprv = row.at(3);
        INFO(phrase);
        const auto entropy = fromHex(entropyHex);
        REQUIRE(entropy);

        auto fromEnt = Mnemonic::fromEntropy(*entropy);
        REQUIRE(fromEnt);
        CHECK(fromEnt->phrase() == phrase);

        auto parsed = Mnemonic::parse(phrase);
        REQUIRE(parsed);
        CHECK(toHex(parsed->entropy()) == entropyHex);
        const auto seed = parsed->toSeed("TREZOR");
        CHECK(toHex(seed) == seedHex);

        auto master = ExtendedKey::fromSeed(seed);
        REQUIRE(master);
        CHECK(master->toXprv() == xprv);
    }
}

TEST_CASE("Mnemonic parse reports wrong word count, unknown word and bad checksum distinctly", "[wallet][bip39]") {
    std::string twentyThree;
    for (int i = 0; i < 23; ++i) twentyThree += "abandon ";

    auto count = Mnemonic::parse(twentyThree);
    REQUIRE_FALSE(count);
    CHECK(count.error().code == WalletErrc::MnemonicWordCount);
    CHECK(count.error().message() == "wrong number of mnemonic words: expected 12, 15, 18, 21 or 24 words, got 23");

    auto unknown = Mnemonic::parse(twentyThree + "artt");
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().code == WalletErrc::MnemonicUnknownWord);
    CHECK(unknown.error().message() == "unknown mnemonic word: 'artt' (word 24)");

    auto checksum = Mnemonic::parse(twentyThree + "abandon");
    REQUIRE_FALSE(checksum);
    CHECK(checksum.error().code == WalletErrc::MnemonicChecksum);

    CHECK_FALSE(Mnemonic::parse(""));
    CHECK(Mnemonic::parse("").error().code == WalletErrc::MnemonicWordCount);
}

TEST_CASE("Mnemonic parse normalises case and whitespace", "[wallet][bip39]") {
    std::string messy = "  ABANDON\t";
    for (int i = 0; i < 22; ++i) messy += "abandon  ";
    messy += "Art\n";
    auto m = Mnemonic::parse(messy);
    REQUIRE(m);
    CHECK(m->wordCount() == 24);
    CHECK(m->phrase().rfind("abandon abandon", 0) == 0);
    CHECK(m->phrase().ends_with(" abandon art"));
}

TEST_CASE("Generated mnemonics have 24 words, a valid checksum and differ", "[wallet][bip39]") {
    const Mnemonic a = Mnemonic::generate();
    const Mnemonic b = Mnemonic::generate();
    CHECK(a.wordCount() == 24);
    CHECK(a.entropy().size() == 32);
    CHECK(a.phrase() != b.phrase());
    auto reparsed = Mnemonic::parse(a.phrase());
    REQUIRE(reparsed);
    CHECK(reparsed->phrase() == a.phrase());
}

TEST_CASE("fromEntropy rejects lengths outside 16..32 bytes in steps of 4", "[wallet][bip39]") {
    const Bytes fifteen(15, 0), seventeen(17, 0), thirtySix(36, 0);
    CHECK(Mnemonic::fromEntropy(fifteen).error().code == WalletErrc::InvalidEntropy);
    CHECK(Mnemonic::fromEntropy(seventeen).error().code == WalletErrc::InvalidEntropy);
    CHECK(Mnemonic::fromEntropy(thirtySix).error().code == WalletErrc::InvalidEntropy);
}
