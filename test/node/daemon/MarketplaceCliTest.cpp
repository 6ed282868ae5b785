// The whole marketplace lifecycle through the `agora` CLI against a real
// agorad process: providers register, a client posts a job, two providers
// bid, the client accepts the cheaper bid, blocks pass, the client tops up,
// the provider withdraws, the client closes and settles with a rating.
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "support/RunningNode.h"
#include "support/TempDir.h"

using namespace agora;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

struct Chain {
    test::TempDir dir{"agora-market-cli"};
    std::string ring = dir.path("ring");
    std::string pass = dir.path("pass.txt");
    std::unique_ptr<test::RunningNode> agorad;  // started once the keys it funds exist
    std::string node;                           // its gRPC address
    int calls = 0;

    // Runs agora with the keyring and node flags; returns its exit code and stdout+stderr.
    // `nodeAddress` overrides the node's address (e.g. one nothing listens on).
    std::pair<int, std::string> agora(std::vector<std::string> args, const std::string& nodeAddress = "") {
        std::vector<std::string> full = {AGORA_CLI_BINARY, "--keyring-dir", ring, "--passphrase-file", pass};
        const std::string target = nodeAddress.empty() ? node : nodeAddress;
        if (!target.empty()) full.insert(full.end(), {"--node", target});
        full.insert(full.end(), args.begin(), args.end());
        const std::string log = dir.path("cli-" + std::to_string(++calls) + ".log");
        const int rc = test::runToExit(full, log);
        std::ifstream in(log);
        std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        return {rc, out};
    }
    std::string address(const std::string& key) {
        auto [rc, out] = agora({"keys", "show", key, "-a"});
        REQUIRE(rc == 0);
        return out.substr(0, out.find('\n'));
    }
    // A committed tx's JSON result; REQUIREs exit 0 and code 0.
    json tx(std::vector<std::string> args, const std::string& from) {
        args.insert(args.begin(), "tx");
        args.insert(args.end(), {"--from", from, "--wait", "-o", "json"});
        auto [rc, out] = agora(args);
        INFO(out);
        REQUIRE(rc == 0);
        json j = json::parse(out.substr(0, out.find('\n')));
        REQUIRE(j["code"] == 0);
        return j;
    }
    static std::string attr(const json& result, const std::string& type, const std::string& key) {
        for (const auto& e : result["events"])
            if (e["type"] == type) return e["attributes"][key].get<std::string>();
        FAIL("no " << type << " event in " << result.dump());
        return {};
    }
    // `agora query ARGS -o json`; REQUIREs exit 0 and one JSON line.
    json query(std::vector<std::string> args) {
        args.insert(args.begin(), "query");
        args.insert(args.end(), {"-o", "json"});
        auto [rc, out] = agora(args);
        INFO(out);
        REQUIRE(rc == 0);
        return json::parse(out.substr(0, out.find('\n')));
    }
    std::uint64_t balance(const std::string& key) { return u64(query({"account", address(key)})["balance"]); }
    // Amounts are JSON strings of integer uagr; anything else fails the test.
    static std::uint64_t u64(const json& amount) {
        REQUIRE(amount.is_string());
        const std::string s = amount.get<std::string>();
        REQUIRE(!s.empty());
        REQUIRE(s.find_first_not_of("0123456789") == std::string::npos);
        return std::stoull(s);
    }
    // Fees paid by `key`, summed from the committed results.
    std::map<std::string, std::uint64_t> fees;
    json paid(std::vector<std::string> args, const std::string& from) {
        json j = tx(std::move(args), from);
        fees[from] += u64(j["fee_charged"]);
        return j;
    }
};

}  // namespace

TEST_CASE("the marketplace lifecycle runs end to end through the agora CLI on a real node", "[agorad][process][cli]") {
    Chain c;
    std::ofstream(c.pass) << "pw\n";
    for (const char* k : {"prov1", "prov2", "client"}) REQUIRE(c.agora({"keys", "add", k}).first == 0);
    test::RunningNode::Setup setup;
    setup.moniker = "v0";
    for (const char* k : {"prov1", "prov2", "client"}) setup.fund.push_back(c.address(k) + "=1000000000000");
    c.agorad = std::make_unique<test::RunningNode>("agora-market-cli-node", "market-cli", setup);
    c.node = c.agorad->address();

    constexpr std::uint64_t kFunded = 1000000000000;
    for (const char* p : {"prov1", "prov2"})
        c.paid({"provider", "register", "--host", std::string("https://") + p + ".example", "--attr", "region=eu",
                "--capacity", "cpu=8000,mem=16384,storage=500", "--stake", "200agr"},
               p);
    const std::string prov1 = c.address("prov1"), prov2 = c.address("prov2"), client = c.address("client");
    {
        const json p = c.query({"provider", prov2});
        REQUIRE(p["address"] == prov2);
        REQUIRE(Chain::u64(p["stake"]) == 200'000'000);
        REQUIRE(p["capacity"]["cpu_millicores"] == 8000);
        REQUIRE(p["free"]["cpu_millicores"] == 8000);
        REQUIRE(c.query({"providers", "--attr", "region=eu", "--min-cpu", "7000"})["providers"].size() == 2);
        REQUIRE(c.query({"providers", "--attr", "region=us"})["providers"].empty());
    }
    c.paid({"offer", "set", "1", "--cpu-price", "1", "--mem-price", "0", "--storage-price", "0"}, "prov1");
    REQUIRE(c.query({"provider", prov1})["offers"][0]["per_cpu_millicore"] == "1");
    const json job =
        c.paid({"job", "create", "--resources", "cpu=2000,mem=4096,storage=50", "--constraint", "region=eu",
                "--max-price", "100", "--duration", "2000", "--bidding-window", "1000", "--deposit", "200000"},
               "client");
    const std::string jobId = Chain::attr(job, "job_created", "job_id");
    REQUIRE(c.query({"job", jobId})["state"] == "open");
    REQUIRE(Chain::u64(c.query({"job", jobId})["deposit"]) == 200000);
    c.paid({"bid", "place", jobId, "--price", "90"}, "prov1");
    const json bid2 = c.paid({"bid", "place", jobId, "--price", "80"}, "prov2");
    const std::string bidId = Chain::attr(bid2, "bid_placed", "bid_id");
    {
        // Two open bids; paging one at a time with --all gives the same two.
        REQUIRE(c.query({"bids", jobId})["bids"].size() == 2);
        const json page1 = c.query({"bids", jobId, "--limit", "1"});
        REQUIRE(page1["bids"].size() == 1);
        REQUIRE(!page1["next_key"].get<std::string>().empty());
        const json page2 = c.query({"bids", jobId, "--limit", "1", "--page-key", page1["next_key"].get<std::string>()});
        REQUIRE(page2["bids"].size() == 1);
        REQUIRE(page2["bids"][0]["id"] != page1["bids"][0]["id"]);
        REQUIRE(c.query({"bids", jobId, "--limit", "1", "--all"})["bids"].size() == 2);
    }

    const std::uint64_t prov2Before = c.balance("prov2");
    const json accepted = c.paid({"bid", "accept", bidId}, "client");
    const std::string leaseId = Chain::attr(accepted, "lease_created", "lease_id");
    REQUIRE(Chain::attr(accepted, "lease_created", "price_per_second") == "80");
    {
        // Capacity is reserved for the lease; the filter now leaves prov2 out.
        const json p = c.query({"provider", prov2});
        REQUIRE(p["reserved"]["cpu_millicores"] == 2000);
        REQUIRE(p["free"]["cpu_millicores"] == 6000);
        const json eu = c.query({"providers", "--attr", "region=eu", "--min-cpu", "7000"});
        REQUIRE(eu["providers"].size() == 1);
        REQUIRE(eu["providers"][0]["address"] == prov1);
        REQUIRE(c.query({"job", jobId})["state"] == "leased");
        const json all = c.query({"bids", jobId, "--include-closed"});
        REQUIRE(all["bids"].size() == 2);
        std::set<std::string> states;
        for (const auto& b : all["bids"]) states.insert(b["state"].get<std::string>());
        REQUIRE(states == std::set<std::string>{"accepted", "lost"});
        const json e = c.query({"escrow", leaseId});
        REQUIRE(e["lease_state"] == "active");
        REQUIRE(Chain::u64(e["deposited"]) == 200000);
        REQUIRE(Chain::u64(e["price_per_second"]) == 80);
        const json mine = c.query({"leases", "--client", client});
        REQUIRE(mine["leases"].size() == 1);
        REQUIRE(std::to_string(mine["leases"][0]["id"].get<std::uint64_t>()) == leaseId);
        REQUIRE(c.query({"leases", "--provider", prov1})["leases"].empty());
        REQUIRE(c.query({"lease", leaseId})["provider"] == prov2);
    }

    // Block time passes while the lease runs (enough to count for reputation: lease time is block
    // time, not blocks); the client tops up, the provider withdraws what accrued.
    const std::uint64_t startMs = c.query({"lease", leaseId})["start_time"].get<std::uint64_t>();
    const std::uint64_t minPaid = c.query({"params"})["reputation_min_paid_seconds"].get<std::uint64_t>();
    REQUIRE(test::waitUntil(
        [&] {
            return c.query({"escrow", leaseId})["paid_through"].get<std::uint64_t>() >= startMs + 1'000 * minPaid;
        },
        60s));
    c.paid({"lease", "top-up", leaseId, "1000"}, "client");
    REQUIRE(Chain::u64(c.query({"escrow", leaseId})["deposited"]) == 201000);
    const json withdrawn = c.paid({"lease", "withdraw", leaseId}, "prov2");
    const std::uint64_t paid = std::stoull(Chain::attr(withdrawn, "provider_withdraw", "amount"));
    REQUIRE(paid > 0);
    REQUIRE(paid >= 80 * minPaid);
    REQUIRE(paid % 80 == 0);  // whole seconds at the accepted price
    REQUIRE(Chain::u64(c.query({"escrow", leaseId})["withdrawn"]) == paid);

    const json closed = c.paid({"lease", "close", leaseId, "--reason", "completed"}, "client");
    REQUIRE(Chain::attr(closed, "lease_closed", "reason") == "completed");
    const json settled = c.paid({"lease", "settle", leaseId, "--rating", "5"}, "client");
    REQUIRE(Chain::attr(settled, "lease_settled", "rating") == "5");
    REQUIRE(Chain::attr(settled, "reputation_updated", "completed") == "1");
    // The provider earned at least what it withdrew (bid deposit refunded, fees paid).
    REQUIRE(c.balance("prov2") > prov2Before);

    {
        // Escrow fully accounted: everything deposited went to the provider or back to the client.
        const json e = c.query({"escrow", leaseId});
        REQUIRE(e["lease_state"] == "closed");
        const std::uint64_t deposited = Chain::u64(e["deposited"]), toProvider = Chain::u64(e["withdrawn"]),
                            refunded = Chain::u64(e["refunded"]);
        REQUIRE(Chain::u64(e["remaining"]) == 0);
        REQUIRE(Chain::u64(e["accrued"]) == 0);
        REQUIRE(toProvider + refunded == deposited);
        REQUIRE(toProvider % 80 == 0);
        // Balances to the uagr: funding - fees - escrow kept by the provider; stakes stay bonded.
        REQUIRE(c.balance("client") == kFunded - c.fees["client"] - toProvider);
        // The protocol's take on each payment to the provider is burned (lease_take_rate_ppm):
        // the lease records it, and the withdraw and settle events carry their parts.
        const std::uint64_t burned = Chain::u64(c.query({"lease", leaseId})["burned"]);
        REQUIRE(burned > 0);
        REQUIRE(burned == std::stoull(Chain::attr(withdrawn, "provider_withdraw", "burned")) +
                              std::stoull(Chain::attr(settled, "lease_settled", "burned")));
        REQUIRE(c.balance("prov2") == kFunded - c.fees["prov2"] - 200'000'000 + toProvider - burned);
        REQUIRE(c.balance("prov1") == kFunded - c.fees["prov1"] - 200'000'000);
        // Capacity back; reputation recorded.
        REQUIRE(c.query({"provider", prov2})["free"]["cpu_millicores"] == 8000);
        REQUIRE(c.query({"providers", "--attr", "region=eu", "--min-cpu", "7000"})["providers"].size() == 2);
        const json rep = c.query({"reputation", prov2});
        REQUIRE(rep["completed"] == 1);
        REQUIRE(rep["early_closes"] == 0);
        REQUIRE(Chain::u64(rep["total_paid"]) == toProvider);
        REQUIRE(c.query({"reputation", prov1})["completed"] == 0);
        const json l = c.query({"lease", leaseId});
        REQUIRE(l["settled"] == true);
        REQUIRE(l["rating"] == 5);
    }
    {
        // The settle tx by hash, and the rest of the read commands.
        const json t = c.query({"tx", settled["tx_hash"].get<std::string>()});
        REQUIRE(t["code"] == 0);
        REQUIRE(t["height"] == settled["height"]);
        REQUIRE(t["messages"] == json::array({"lease_settle"}));
        REQUIRE(t["signer"] == client);
        REQUIRE(Chain::u64(t["fee_charged"]) == Chain::u64(settled["fee_charged"]));
        REQUIRE(c.query({"validators"})["validators"].size() == 1);
        REQUIRE(Chain::u64(c.query({"params"})["min_provider_stake"]) > 0);
        const json withProof = c.query({"lease", leaseId, "--prove"});
        REQUIRE(withProof["state"]["exists"] == true);
        REQUIRE(!withProof["state"]["proof"].get<std::string>().empty());
        const json proof = c.query({"proof", withProof["state"]["key"].get<std::string>()});
        REQUIRE(proof["value"] == withProof["state"]["value"]);
        REQUIRE(c.query({"block", std::to_string(settled["height"].get<std::uint64_t>())})["txs"].size() >= 1);
    }
    {
        // Offline signing: chain id and nonce given, nothing asked from the node; then broadcast the hex.
        const std::uint64_t nonce = c.query({"account", client})["next_nonce"];
        auto [rc, out] = c.agora({"tx", "send", prov1, "777", "--from", "client", "--generate-only", "--chain-id",
                                  "market-cli", "--nonce", std::to_string(nonce), "-o", "json"},
                                 "127.0.0.1:1");
        INFO(out);
        REQUIRE(rc == 0);
        const json gen = json::parse(out.substr(0, out.find('\n')));
        REQUIRE(gen["nonce"] == nonce);
        const std::uint64_t before = c.balance("prov1");
        auto [rc2, out2] = c.agora({"tx", "broadcast", gen["tx"].get<std::string>(), "--wait", "-o", "json"});
        INFO(out2);
        REQUIRE(rc2 == 0);
        const json sent = json::parse(out2.substr(0, out2.find('\n')));
        REQUIRE(sent["code"] == 0);
        REQUIRE(sent["tx_hash"] == gen["tx_hash"]);
        REQUIRE(c.balance("prov1") == before + 777);
        // Unknown objects are a one-line error with exit 1.
        auto [rc3, out3] = c.agora({"query", "lease", "999999"});
        REQUIRE(rc3 == 1);
        REQUIRE(out3.rfind("Error: ", 0) == 0);
    }

    {
        // Settling twice: the simulation refuses it with the ledger's code and
        // name and exit 1; nothing is sent, so no fee is paid and the nonce stays.
        const json before = c.query({"account", client});
        auto [rc, out] = c.agora({"tx", "lease", "settle", leaseId, "--rating", "5", "--from", "client", "--wait"});
        INFO(out);
        REQUIRE(rc == 1);
        REQUIRE(out.find("would fail with code 354 (") != std::string::npos);
        REQUIRE(out.find("not sent") != std::string::npos);
        const json after = c.query({"account", client});
        REQUIRE(after["balance"] == before["balance"]);
        REQUIRE(after["next_nonce"] == before["next_nonce"]);
        // -o json prints the simulated result first.
        auto [rcj, outj] =
            c.agora({"tx", "lease", "settle", leaseId, "--rating", "5", "--from", "client", "--wait", "-o", "json"});
        REQUIRE(rcj == 1);
        const json refused = json::parse(outj.substr(0, outj.find('\n')));
        REQUIRE(refused["simulated"] == true);
        REQUIRE(refused["code"] == 354);
        REQUIRE(!refused["name"].get<std::string>().empty());
        // --skip-simulation sends it anyway: committed with the failure, fee paid.
        auto [rc2, out2] = c.agora({"tx", "lease", "settle", leaseId, "--rating", "5", "--from", "client", "--wait",
                                    "--skip-simulation", "-o", "json"});
        INFO(out2);
        REQUIRE(rc2 == 1);
        const json sent = json::parse(out2.substr(0, out2.find('\n')));
        REQUIRE(sent["code"] == 354);
        REQUIRE(sent["height"].get<std::uint64_t>() > 0);
        REQUIRE(Chain::u64(c.query({"account", client})["balance"]) ==
                Chain::u64(before["balance"]) - Chain::u64(sent["fee_charged"]));
    }
    {
        // --fees auto pays what the node asks (min_fee), two sends in a row
        // without --wait simulate fine with the pending nonce.
        const std::uint64_t minFee = Chain::u64(c.query({"params"})["min_fee"]);
        auto [rc1, out1] = c.agora({"tx", "send", prov1, "5", "--from", "client", "--fees", "auto"});
        INFO(out1);
        REQUIRE(rc1 == 0);
        const json auto2 = c.tx({"send", prov1, "6", "--fees", "auto"}, "client");
        REQUIRE(Chain::u64(auto2["fee_charged"]) == minFee);
        // Too small a fee is refused by the simulation with fee_too_low.
        auto [rc3, out3] = c.agora({"tx", "send", prov1, "5", "--from", "client", "--fees", "1"});
        INFO(out3);
        REQUIRE(rc3 == 1);
        REQUIRE(out3.find("(fee_too_low)") != std::string::npos);
    }

    REQUIRE(c.agorad->stop() == 0);
}
