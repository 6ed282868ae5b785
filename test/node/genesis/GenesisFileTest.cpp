#include <catch2/catch.hpp>

#include "consensus/state/Sandbox.h"
#include "node/genesis/GenesisFile.h"
#include "support/TestKeys.h"

using namespace agora;
using namespace agora::node;

namespace {
GenesisDoc sampleDoc() {
    GenesisDoc d;
    d.genesisTimeMs = 1'790'000'000'000ULL;
    d.genesis.chainId = "agora-devnet-1";
    d.genesis.params.minFee = Amount(500);
    d.genesis.params.graceSeconds = 7;
    const auto k1 = test::testKey(1);
    d.genesis.accounts.push_back({Address::fromPublicKey(k1.publicKey), Amount(5'000'000'000)});
    d.genesis.validators.push_back({Address::fromPublicKey(k1.publicKey), test::testKey(2).publicKey, "val-0", 500,
                                    d.genesis.params.minSelfStake});
    return d;
}
}  // namespace

TEST_CASE("genesis JSON round-trips every field and params", "[genesis]") {
    const GenesisDoc d = sampleDoc();
    auto back = GenesisDoc::parse(d.prettyJson());
    REQUIRE(back.hasValue());
    REQUIRE(back->genesis.params == d.genesis.params);
    REQUIRE(back->canonicalJson() == d.canonicalJson());
    REQUIRE(back->hash() == d.hash());
    REQUIRE(back->genesis.validators[0].commissionBps == 500);
    // The parsed genesis initialises a ledger state.
    state::MemoryState st;
    auto updates = contracts::initGenesis(st, back->genesis);
    REQUIRE(updates.hasValue());
    REQUIRE(updates->size() == 1);
}

TEST_CASE("genesis hash changes with any field", "[genesis]") {
    GenesisDoc d = sampleDoc();
    const Hash256 h = d.hash();
    d.genesis.params.graceSeconds++;
    REQUIRE(d.hash() != h);
}

TEST_CASE("genesis parsing rejects bad input naming the field", "[genesis]") {
    const std::string good = sampleDoc().prettyJson();
    auto mutate = [&](const std::string& from, const std::string& to) {
        std::string s = good;
        const auto pos = s.find(from);
        REQUIRE(pos != std::string::npos);
        s.replace(pos, from.size(), to);
        auto r = GenesisDoc::parse(s);
        REQUIRE_FALSE(r.hasValue());
        return r.error();
    };
    REQUIRE(mutate("\"chain_id\"", "\"chainid\"") == "genesis: unknown field chainid");
    REQUIRE(mutate("\"grace_seconds\": 7", "\"grace_seconds\": -7") ==
            "genesis: params.grace_seconds must be an unsigned integer in range");
    REQUIRE(mutate("\"min_fee\": \"500\"", "\"min_fee\": 500") == "genesis: params.min_fee must be a string of uagr");
    REQUIRE(mutate("\"balance\": \"5000000000\"", "\"balance\": \"99999999999999999999\"") ==
            "genesis: accounts[0].balance must be a decimal amount of uagr");
    REQUIRE(mutate("\"address\": \"agora1", "\"address\": \"agoravaloper1").find("accounts[0].address") !=
            std::string::npos);
    REQUIRE(mutate("\"commission_bps\": 500", "\"commission_bps\": 10001") ==
            "genesis: validators[0].commission_bps must be at most 10000");
    REQUIRE(GenesisDoc::parse("{").error() == "genesis: not valid JSON");
    REQUIRE(GenesisDoc::parse("{}").error() == "genesis: missing field chain_id");
}
