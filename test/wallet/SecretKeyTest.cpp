#include "wallet/SecretKey.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "consensus/core/PublicKey.h"

using namespace agora;
using namespace agora::wallet;

namespace {

struct Bip340Row {
    std::string index, secret, publicKey, aux, message, signature, result, comment;
};

std::vector<std::string> splitCsv(const std::string& line) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : line) {
        if (c == ',') {
            out.push_back(cur);
            cur.clear();
        } else if (c != '\r') {
            cur += c;
        }
    }
    out.push_back(cur);
    return out;
}

std::vector<Bip340Row> loadBip340Vectors() {
    std::ifstream in(std::string(AGORA_TEST_DATA_DIR) + "/bip340-test-vectors.csv");
    REQUIRE(in.good());
    std::string line;
    std::getline(in, line);  // header
    std::vector<Bip340Row> rows;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        auto f = splitCsv(line);
        // The comment column has no commas in the official file; re-join defensively.
        while (f.size() > 8) {
            f[7] += "," + f.back();
            f.pop_back();
        }
        REQUIRE(f.size() == 8);
        rows.push_back(Bip340Row{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]});
    }
    return rows;
}

}  // namespace

TEST_CASE("BIP-340 vectors: every row signs exactly and verifies as expected", "[wallet][bip340]") {
    const auto rows = loadBip340Vectors();
    REQUIRE(rows.size() == 19);  // indices 0..18 of the official file
    int signRows = 0;
    for (const auto& row : rows) {
        INFO("vector " << row.index << " " << row.comment);
        const auto msg = fromHex(row.message);
        REQUIRE(msg);
        const auto sig = Signature::fromHex(row.signature);
        REQUIRE(sig);
        const auto pk = PublicKey::fromHex(row.publicKey);
        REQUIRE(pk);
        const bool expected = row.result == "TRUE";
        REQUIRE((expected || row.result == "FALSE"));

        if (!row.secret.empty()) {
            ++signRows;
            auto key = SecretKey::fromHex(row.secret);
            REQUIRE(key);
            CHECK(key->publicKey() == *pk);
            auto aux = fromHex(row.aux);
            REQUIRE(aux);
            REQUIRE(aux->size() == 32);
            std::array<std::uint8_t, 32> auxArr{};
            std::copy(aux->begin(), aux->end(), auxArr.begin());
            CHECK(key->sign(*msg, auxArr).toHex() == sig->toHex());
        }
        CHECK(verifySchnorr(*pk, *msg, *sig) == expected);
    }
    CHECK(signRows == 8);
}

TEST_CASE("SecretKey rejects zero, the curve order and wrong lengths", "[wallet]") {
    CHECK_FALSE(SecretKey::fromHex(std::string(64, '0')));
    CHECK_FALSE(SecretKey::fromHex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"));
    CHECK(SecretKey::fromHex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364140"));
    CHECK_FALSE(SecretKey::fromHex("0102"));
    CHECK_FALSE(SecretKey::fromHex("zz"));
    CHECK(SecretKey::fromHex(std::string(64, '0')).error().code == WalletErrc::InvalidSecretKey);
}

TEST_CASE("Generated keys differ and their signatures verify", "[wallet]") {
    const SecretKey a = SecretKey::generate();
    const SecretKey b = SecretKey::generate();
    CHECK(a.bytes() != b.bytes());
    const std::array<std::uint8_t, 32> msg{1, 2, 3};
    const Signature s1 = a.sign(msg);
    const Signature s2 = a.sign(msg);
    CHECK(s1 != s2);  // fresh aux randomness per signature
    CHECK(verifySchnorr(a.publicKey(), msg, s1));
    CHECK(verifySchnorr(a.publicKey(), msg, s2));
    CHECK_FALSE(verifySchnorr(b.publicKey(), msg, s1));
}
