// The whole marketplace lifecycle through the `agora` CLI against a real
// agorad process: providers register, a client posts a job, two providers
// bid, the client accepts the cheaper bid, blocks pass, the client tops up,
// the provider withdraws, the client closes and settles with a rating.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "node/config/NodeConfig.h"
#include "support/ChildProcess.h"
#include "support/TempDir.h"
#include "wallet/AtomicFile.h"

using namespace agora;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

struct Chain {
    test::TempDir dir{"agora-market-cli"};
    std::string home = dir.path("home");
    std::string ring = dir.path("ring");
    std::string pass = dir.path("pass.txt");
    int port = test::freePort();
    std::string node = "127.0.0.1:" + std::to_string(port);
    std::unique_ptr<test::ChildProcess> agorad;
    int calls = 0;

    // Runs agora with the keyring and node flags; returns its exit code and stdout+stderr.
    std::pair<int, std::string> agora(std::vector<std::string> args) {
        std::vector<std::string> full = {AGORA_CLI_BINARY, "--keyring-dir", ring, "--passphrase-file", pass,
                                         "--node", node};
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
    std::uint64_t balance(const std::string& key) {
        auto [rc, out] = agora({"query", "account", address(key), "-o", "json"});
        REQUIRE(rc == 0);
        return std::stoull(json::parse(out.substr(0, out.find('\n')))["balance"].get<std::string>());
    }
};

}  // namespace

TEST_CASE("the marketplace lifecycle runs end to end through the agora CLI on a real node", "[agorad][process][cli]") {
    Chain c;
    std::ofstream(c.pass) << "pw\n";
    for (const char* k : {"prov1", "prov2", "client"}) REQUIRE(c.agora({"keys", "add", k}).first == 0);
    std::vector<std::string> init = {AGORAD_BINARY, "--home", c.home, "init", "v0", "--chain-id", "market-cli"};
    for (const char* k : {"prov1", "prov2", "client"}) {
        init.push_back("--fund");
        init.push_back(c.address(k) + "=1000000000000");
    }
    REQUIRE(test::runToExit(init, c.dir.path("init.log")) == 0);
    node::NodeConfig cfg;
    cfg.grpc.address = c.node;
    cfg.p2p.listenAddress = "127.0.0.1:0";  // block sync server: any free port
    cfg.consensus.timeoutCommitMs = 50;
    cfg.http.enabled = false;  // parallel test nodes must not share the default HTTP port
    REQUIRE(wallet::writeFileAtomic(c.home + "/config/config.toml", cfg.toToml(), wallet::WriteMode::Replace).hasValue());
    c.agorad = std::make_unique<test::ChildProcess>(std::vector<std::string>{AGORAD_BINARY, "--home", c.home, "start"},
                                                    c.dir.path("node.log"));
    REQUIRE(test::waitUntil([&] { return c.agora({"query", "status"}).first == 0; }, 60s));

    for (const char* p : {"prov1", "prov2"})
        c.tx({"provider", "register", "--host", std::string("https://") + p + ".example", "--attr", "region=eu",
              "--capacity", "cpu=8000,mem=16384,storage=500", "--stake", "200agr"},
             p);
    c.tx({"offer", "set", "1", "--cpu-price", "1", "--mem-price", "0", "--storage-price", "0"}, "prov1");
    const json job = c.tx({"job", "create", "--resources", "cpu=2000,mem=4096,storage=50", "--constraint",
                           "region=eu", "--max-price", "100", "--duration", "40", "--bidding-window", "20",
                           "--deposit", "4000"},
                          "client");
    const std::string jobId = Chain::attr(job, "job_created", "job_id");
    c.tx({"bid", "place", jobId, "--price", "90"}, "prov1");
    const json bid2 = c.tx({"bid", "place", jobId, "--price", "80"}, "prov2");
    const std::string bidId = Chain::attr(bid2, "bid_placed", "bid_id");

    const std::uint64_t prov2Before = c.balance("prov2");
    const json accepted = c.tx({"bid", "accept", bidId}, "client");
    const std::string leaseId = Chain::attr(accepted, "lease_created", "lease_id");
    REQUIRE(Chain::attr(accepted, "lease_created", "price_per_block") == "80");

    // Blocks pass while the lease runs; the client tops up, the provider withdraws what accrued.
    c.tx({"lease", "top-up", leaseId, "1000"}, "client");
    const json withdrawn = c.tx({"lease", "withdraw", leaseId}, "prov2");
    const std::uint64_t paid = std::stoull(Chain::attr(withdrawn, "provider_withdraw", "amount"));
    REQUIRE(paid > 0);
    REQUIRE(paid % 80 == 0);  // whole blocks at the accepted price

    const json closed = c.tx({"lease", "close", leaseId, "--reason", "completed"}, "client");
    REQUIRE(Chain::attr(closed, "lease_closed", "reason") == "completed");
    const json settled = c.tx({"lease", "settle", leaseId, "--rating", "5"}, "client");
    REQUIRE(Chain::attr(settled, "lease_settled", "rating") == "5");
    REQUIRE(Chain::attr(settled, "reputation_updated", "completed") == "1");
    // The provider earned at least what it withdrew (bid deposit refunded, fees paid).
    REQUIRE(c.balance("prov2") > prov2Before);

    // Settling twice fails with the ledger's code and exit status 1.
    auto [rc, out] = c.agora({"tx", "lease", "settle", leaseId, "--rating", "5", "--from", "client", "--wait"});
    REQUIRE(rc == 1);
    REQUIRE(out.find("code 354") != std::string::npos);

    c.agorad->signal(SIGTERM);
    REQUIRE(c.agorad->waitExit(20s) == 0);
}
