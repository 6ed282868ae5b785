// agorad export as a library: a chain built block by block is exported,
// re-imported into a fresh database, and continues with the same app_hash
// and the same state as the original (docs/genesis.md).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "consensus/state/Sandbox.h"
#include "contracts/Bank.h"
#include "contracts/Keys.h"
#include "node/app/Application.h"
#include "node/app/GenesisExport.h"
#include "node/storage/NodeDatabase.h"
#include "support/TempDir.h"
#include "support/TestKeys.h"
#include "support/TestNode.h"

using namespace agora;
using namespace agora::node;

namespace {

const char* kChain = "export-test";
constexpr std::uint8_t kValidator = 10;
constexpr std::uint8_t kProvider = 1;
constexpr std::uint8_t kClient = 2;

Address addr(std::uint8_t key) {
    return Address::fromPublicKey(test::testKey(key).publicKey);
}

GenesisDoc testGenesis() {
    GenesisDoc d;
    d.genesisTimeMs = 1'000;
    d.genesis.chainId = kChain;
    d.genesis.params.minSelfStake = Amount(1'000'000);
    const auto val = test::testKey(kValidator);
    d.genesis.validators.push_back(
        {Address::fromPublicKey(val.publicKey), val.publicKey, "v0", 0, Amount(1'000'000'000'000ULL)});
    for (std::uint8_t i = 1; i <= 3; ++i) d.genesis.accounts.push_back({addr(i), Amount(10'000'000'000)});
    return d;
}

// One node on LevelDB (test/support/TestNode.h); every block at a time the test names.
struct Chain : test::TestNode {
    Chain(const std::string& name, GenesisDoc genesis, bool checkInvariants = true)
        : TestNode(std::move(genesis), options(name, checkInvariants)) {}

    static test::TestNodeOptions options(const std::string& name, bool checkInvariants) {
        test::TestNodeOptions o;
        o.name = "export-" + name;
        o.app.checkInvariants = checkInvariants;
        return o;
    }

    Bytes tx(std::uint8_t from, Msg msg) { return TestNode::tx(from, {std::move(msg)}); }

    // Proposes and commits one block of txs at timeMs.
    Expected<CommitOutcome, std::string> block(const std::vector<Bytes>& txs, std::uint64_t timeMs) {
        return commitBlock(txs, timeMs);
    }

    std::map<Bytes, Bytes> state() const {
        std::map<Bytes, Bytes> out;
        app().snapshot()->scan({}, {}, [&](ByteSpan k, ByteSpan v) {
            out.emplace(Bytes(k.begin(), k.end()), Bytes(v.begin(), v.end()));
            return true;
        });
        return out;
    }
};

Resources res(std::uint64_t cpu, std::uint64_t mem, std::uint64_t storage) {
    return Resources{cpu, mem, storage, {}};
}

// A marketplace in motion: a staked provider with an offer, an open job with
// a bid, a lease taken from the offer, plain sends.
void buildMarket(Chain& c) {
    c.commitOk(
        {c.tx(kProvider,
              MsgProviderRegister{"https://p.example", {{"region", "eu"}}, res(8000, 16384, 500), Amount(200'000'000)}),
         c.tx(3, MsgSend{addr(kClient), Amount(5'000)})},
        2'000);
    c.commitOk(
        {c.tx(kProvider, MsgOfferSet{1, PriceSchedule{Amount(1), Amount(0), Amount(0), {}}}),
         c.tx(kClient, MsgJobCreate{res(2000, 4096, 50), {{"region", "eu"}}, Amount(100), 40, 20, 0, Amount(4'000)})},
        3'000);
    c.commitOk({c.tx(kClient,
                     MsgLeaseFromOffer{
                         addr(kProvider), 1, res(1000, 1024, 10), 30, Amount(100'000), {}, Amount(1'000'000), 1}),
                c.tx(kProvider, MsgBidPlace{1, Amount(90), Amount(1'000'000)})},
               4'000);
}

}  // namespace

TEST_CASE("an exported state re-imports to the same app_hash and continues identically", "[export]") {
    Chain a("source", testGenesis());
    buildMarket(a);
    REQUIRE(a.app().lastHeight() == 3);

    auto exported = exportLatest(a.app());
    REQUIRE(exported.hasValue());
    const auto& st = exported->genesis.appState;
    REQUIRE(st.has_value());
    REQUIRE(st->height == 3);
    REQUIRE(st->appHash == a.app().lastAppHash());
    REQUIRE(exported->genesis.initialHeight == 4);
    REQUIRE(exported->genesis.chainId == kChain);
    REQUIRE(st->entries.size() == a.state().size());

    // Through the JSON text, as agorad writes and reads it.
    auto parsed = GenesisDoc::parse(exported->prettyJson());
    INFO((parsed ? std::string() : parsed.error()));
    REQUIRE(parsed.hasValue());
    REQUIRE(parsed->canonicalJson() == exported->canonicalJson());

    Chain b("imported", *parsed);
    REQUIRE(b.app().lastHeight() == 0);
    REQUIRE(b.app().nextHeight() == 4);
    // Same members and powers (proposer priorities restart at the new genesis).
    REQUIRE(validatorSetHash(b.app().chainState().validators) == validatorSetHash(a.app().chainState().validators));

    // The same block content on both chains: same app_hash at the first
    // imported height, same state after it (block ids differ: the imported
    // chain has no parent block).
    b.nonces() = a.nonces();
    const std::vector<Bytes> txs = {
        a.tx(kClient, MsgSend{addr(3), Amount(7)}),
        a.tx(kProvider, MsgOfferSet{2, PriceSchedule{Amount(2), Amount(1), Amount(0), {}}})};
    auto ca = a.block(txs, 5'000);
    auto cb = b.block(txs, 5'000);
    REQUIRE(ca.hasValue());
    INFO((cb ? std::string() : cb.error()));
    REQUIRE(cb.hasValue());
    REQUIRE(cb->height == 4);
    REQUIRE(ca->appHash == cb->appHash);
    REQUIRE(ca->results.resultsHash() == cb->results.resultsHash());
    REQUIRE(a.state() == b.state());
    // And an empty block after that too (rewards, accrual, end-of-block work).
    auto ea = a.block({}, 6'000);
    auto eb = b.block({}, 6'000);
    REQUIRE(ea.hasValue());
    REQUIRE(eb.hasValue());
    REQUIRE(ea->appHash == eb->appHash);

    // The imported chain exports to the same state again.
    auto again = exportLatest(b.app());
    REQUIRE(again.hasValue());
    REQUIRE(again->genesis.appState->entries == exportLatest(a.app())->genesis.appState->entries);
}

TEST_CASE("an earlier height is exported by replaying the stored blocks", "[export]") {
    Chain a("replay", testGenesis());
    buildMarket(a);
    const Hash256 atTwo = a.app().blocks().block(2)->header.appHash;
    test::TempDir scratch("export-scratch");
    auto doc = exportAtHeight(a.app(), 2, scratch.path("replay"));
    INFO((doc ? std::string() : doc.error()));
    REQUIRE(doc.hasValue());
    REQUIRE(doc->genesis.appState->height == 2);
    REQUIRE(doc->genesis.appState->appHash == atTwo);
    REQUIRE(doc->genesis.initialHeight == 3);
    REQUIRE(contracts::genesisStateRoot(doc->genesis.appState->entries).value() == atTwo);

    REQUIRE(exportAtHeight(a.app(), 9, scratch.path("r2")).error().find("above the latest height") !=
            std::string::npos);
    REQUIRE(exportAtHeight(a.app(), 3, scratch.path("r3"))->genesis.appState->appHash == a.app().lastAppHash());
}

TEST_CASE("a chain that committed nothing exports its own genesis", "[export]") {
    Chain a("empty", testGenesis());
    auto doc = exportLatest(a.app());
    REQUIRE(doc.hasValue());
    REQUIRE_FALSE(doc->genesis.appState.has_value());
    REQUIRE(doc->canonicalJson() == testGenesis().canonicalJson());
}

TEST_CASE("genesis app_state is validated strictly with errors naming the field", "[export][genesis]") {
    Chain a("strict", testGenesis());
    buildMarket(a);
    const nlohmann::json good = nlohmann::json::parse(exportLatest(a.app())->prettyJson());
    auto errorOf = [](const nlohmann::json& j) {
        auto r = GenesisDoc::parse(j.dump());
        REQUIRE_FALSE(r.hasValue());
        return r.error();
    };
    using Catch::Matchers::Contains;
    REQUIRE(GenesisDoc::parse(good.dump()).hasValue());

    auto j = good;
    j["app_state"]["entries"][1][1] = "zz";
    REQUIRE_THAT(errorOf(j), Contains("app_state.entries[1][1] must be hex"));
    j = good;
    j["app_state"]["entries"][2][0] = "abc";
    REQUIRE_THAT(errorOf(j), Contains("app_state.entries[2][0]"));
    j = good;
    j["app_state"]["entries"][2] = j["app_state"]["entries"][1];
    REQUIRE_THAT(errorOf(j), Contains("app_state.entries[2]: duplicate key"));
    j = good;
    std::swap(j["app_state"]["entries"][1], j["app_state"]["entries"][2]);
    REQUIRE_THAT(errorOf(j), Contains("app_state.entries[2]: keys must be in ascending order"));
    j = good;
    j["app_state"]["entries"][0][1] = "00";
    REQUIRE_THAT(errorOf(j), Contains("app_state.app_hash") && Contains("does not match the entries"));
    j = good;
    j["app_state"]["app_hash"] = "12";
    REQUIRE_THAT(errorOf(j), Contains("app_state.app_hash must be 64 hex characters"));
    j = good;
    j["initial_height"] = 9;
    REQUIRE_THAT(errorOf(j), Contains("initial_height must be app_state.height + 1"));
    j = good;
    j["accounts"] = nlohmann::json::array({{{"address", addr(1).toBech32()}, {"balance", "5"}}});
    REQUIRE_THAT(errorOf(j), Contains("accounts must be empty when app_state is present"));
    j = good;
    j["app_state"]["validator_set"] = nlohmann::json::array();
    REQUIRE_THAT(errorOf(j), Contains("app_state.validator_set must not be empty"));
    j = good;
    j["app_state"]["validator_set"][0]["power"] = 5;
    REQUIRE_THAT(errorOf(j), Contains("app_state.validator_set[0].power must be a string"));
    j = good;
    j["app_state"]["surprise"] = 1;
    REQUIRE_THAT(errorOf(j), Contains("unknown field app_state.surprise"));

    // Params that disagree with the stored params are refused at import.
    j = good;
    j["params"]["min_fee"] = "12345";
    auto doc = GenesisDoc::parse(j.dump());
    REQUIRE(doc.hasValue());
    state::MemoryState scratch;
    auto init = contracts::initGenesis(scratch, doc->genesis);
    REQUIRE_FALSE(init.hasValue());
    REQUIRE_THAT(init.error().message, Contains("params differ"));
}

TEST_CASE("a block that breaks a ledger invariant is not committed when invariant checks are on", "[invariants]") {
    Chain a("inv-source", testGenesis());
    buildMarket(a);
    auto doc = exportLatest(a.app()).value();
    // Tamper: an account gains 1 uagr that was never minted; the entries
    // still hash to a (recomputed) app_hash, so only the invariant check can tell.
    auto& entries = doc.genesis.appState->entries;
    const Bytes key = contracts::keys::account(addr(3));
    bool found = false;
    for (auto& [k, v] : entries) {
        if (k != key) continue;
        auto acc = decode<contracts::Account>(v).value();
        acc.balance = Amount(acc.balance.micro() + 1);
        v = encode(acc);
        found = true;
    }
    REQUIRE(found);
    doc.genesis.appState->appHash = contracts::genesisStateRoot(entries).value();

    Chain checked("inv-checked", doc, true);
    auto out = checked.block({}, 5'000);
    REQUIRE_FALSE(out.hasValue());
    REQUIRE_THAT(out.error(), Catch::Matchers::Contains("ledger invariant violated after executing block 4") &&
                                  Catch::Matchers::Contains("not committed"));
    REQUIRE(checked.app().lastHeight() == 0);
    REQUIRE(checked.app().blocks().latestHeight() == 0);
    REQUIRE(checked.app().stateStore().latestVersion() == 0);

    // Without the check the same block commits: the check is what stopped it.
    Chain unchecked("inv-unchecked", doc, false);
    REQUIRE(unchecked.block({}, 5'000).hasValue());
}
