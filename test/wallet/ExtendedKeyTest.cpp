#include "wallet/ExtendedKey.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "wallet/KeyMaterial.h"
#include "wallet/Mnemonic.h"

using namespace agora;
using namespace agora::wallet;

// The address documented in docs/keys.md.
static constexpr std::string_view kAbandonArtAddress = "agora1r4jtymelynddecaeycgegdzvt8ulln64uugzt9";

TEST_CASE("BIP-32 test vectors 1 and 2: xpub and xprv at every path", "[wallet][bip32]") {
    std::ifstream in(std::string(AGORA_TEST_DATA_DIR) + "/bip32-test-vectors.txt");
    REQUIRE(in.good());
    std::string line;
    std::optional<ExtendedKey> master;
    int vectors = 0, paths = 0;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream ss(line);
        std::string a, b, c;
        ss >> a >> b;
        if (a == "seed") {
            auto seed = fromHex(b);
            REQUIRE(seed);
            auto m = ExtendedKey::fromSeed(*seed);
            REQUIRE(m);
            master.emplace(std::move(m).value());
            ++vectors;
            continue;
        }
        ss >> c;
        INFO(a);
        REQUIRE(master);
        auto path = DerivationPath::parse(a);
        REQUIRE(path);
        auto key = master->derivePath(*path);
        REQUIRE(key);
        CHECK(key->toXpub() == b);
        CHECK(key->toXprv() == c);
        ++paths;
    }
    CHECK(vectors == 2);
    CHECK(paths == 12);
}

TEST_CASE("Derivation paths parse hardened markers and reject malformed text", "[wallet][bip32]") {
    auto p = DerivationPath::parse("m/44'/118'/0'/0/0");
    REQUIRE(p);
    CHECK(p->steps() == std::vector<std::uint32_t>{44 | kHardened, 118 | kHardened, kHardened, 0, 0});
    CHECK(p->toString() == "m/44'/118'/0'/0/0");
    auto h = DerivationPath::parse("m/44h/118H/0");
    REQUIRE(h);
    CHECK(h->toString() == "m/44'/118'/0");
    CHECK(DerivationPath::parse("m")->steps().empty());
    for (const char* bad : {"", "44'/0", "m/", "m//1", "m/2147483648", "m/01", "m/1''", "m/-1", "m/1/x", "M/1"}) {
        INFO(bad);
        auto r = DerivationPath::parse(bad);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == WalletErrc::InvalidPath);
    }
    CHECK(DerivationPath::parse("m/2147483647'"));
}

TEST_CASE("abandon x23 + art at m/44'/118'/0'/0/0 gives the documented agora address", "[wallet][bip32]") {
    std::string phrase;
    for (int i = 0; i < 23; ++i) phrase += "abandon ";
    phrase += "art";
    auto m = Mnemonic::parse(phrase);
    REQUIRE(m);
    auto km = KeyMaterial::fromMnemonic(std::move(m).value());
    REQUIRE(km);
    CHECK(km->hdPath == "m/44'/118'/0'/0/0");
    CHECK(km->key.address().toBech32() == kAbandonArtAddress);
}
