// agorad export against real processes: a node commits marketplace txs
// through the agora CLI and stops; `agorad export` writes its state as a
// genesis; a fresh home started from that genesis continues the chain with
// the same app_hash as the original node continuing by itself, and answers
// account and lease queries the same (docs/genesis.md).
#include <grpcpp/grpcpp.h>
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include <google/protobuf/util/message_differencer.h>

#include "agora/query/v1/query.grpc.pb.h"
#include "support/RunningNode.h"

using namespace agora;
using namespace std::chrono_literals;
using nlohmann::json;
namespace q = agora::query::v1;

namespace {

struct ExportChain {
    test::TempDir dir{"agora-export-proc"};
    std::string newHome = dir.path("new");
    std::string ring = dir.path("ring");
    std::string pass = dir.path("pass.txt");
    // The node (RunningNode), made once the keyring holds the keys it funds.
    std::unique_ptr<test::RunningNode> agorad;
    std::string node;  // its gRPC address
    int calls = 0;

    // `agorad init` funding each key with 1,000,000 agr; the node is not started.
    void init(const std::vector<std::string>& keys) {
        test::RunningNode::Setup setup;
        setup.moniker = "v0";
        for (const auto& k : keys) setup.fund.push_back(address(k) + "=1000000000000");
        setup.start = false;
        agorad = std::make_unique<test::RunningNode>("agora-export-node", "export-proc", setup);
        node = agorad->address();
    }
    const std::string& oldHome() const { return agorad->home(); }

    std::pair<int, std::string> run(std::vector<std::string> args) {
        const std::string log = dir.path("cmd-" + std::to_string(++calls) + ".log");
        const int rc = test::runToExit(args, log);
        std::ifstream in(log);
        return {rc, std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>())};
    }
    std::pair<int, std::string> agora(std::vector<std::string> args) {
        std::vector<std::string> full = {AGORA_CLI_BINARY, "--keyring-dir", ring, "--passphrase-file", pass};
        if (!node.empty()) full.insert(full.end(), {"--node", node});
        full.insert(full.end(), args.begin(), args.end());
        return run(full);
    }
    json queryJson(std::vector<std::string> args) {
        args.insert(args.begin(), "query");
        args.insert(args.end(), {"-o", "json"});
        auto [rc, out] = agora(args);
        INFO(out);
        REQUIRE(rc == 0);
        return json::parse(out.substr(0, out.find('\n')));
    }
    std::string address(const std::string& key) {
        auto [rc, out] = agora({"keys", "show", key, "-a"});
        REQUIRE(rc == 0);
        return out.substr(0, out.find('\n'));
    }
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
    // Starts the node and waits until it answers status over gRPC with a height.
    void start() { agorad->start(1); }
    void stop() { REQUIRE(agorad->stop() == 0); }
    // An account's answer without the height it was read at.
    json account(const std::string& key) {
        json j = queryJson({"account", address(key)});
        j.erase("height");
        return j;
    }
    std::uint64_t height() { return queryJson({"status"})["latest_height"].get<std::uint64_t>(); }
    void waitHeight(std::uint64_t h) {
        REQUIRE(test::waitUntil([&] { return height() >= h; }, 60s));
    }
    q::LeaseRecord leaseRecord(std::uint64_t id) {
        auto stub = q::QueryService::NewStub(grpc::CreateChannel(node, grpc::InsecureChannelCredentials()));
        q::LeaseRequest req;
        req.set_lease_id(id);
        q::LeaseResponse resp;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + 10s);
        REQUIRE(stub->Lease(&ctx, req, &resp).ok());
        return resp.lease();
    }
    static std::string attr(const json& result, const std::string& type, const std::string& key) {
        for (const auto& e : result["events"])
            if (e["type"] == type) return e["attributes"][key].get<std::string>();
        FAIL("no " << type << " event in " << result.dump());
        return {};
    }
};

}  // namespace

TEST_CASE("an exported node state starts a new home at the same app_hash with the same accounts and leases",
          "[agorad][process][export]") {
    ExportChain c;
    std::ofstream(c.pass) << "pw\n";
    for (const char* k : {"prov", "client"}) REQUIRE(c.agora({"keys", "add", k}).first == 0);
    c.init({"prov", "client"});

    c.start();
    c.tx({"provider", "register", "--host", "https://prov.example", "--attr", "region=eu", "--capacity",
          "cpu=8000,mem=16384,storage=500", "--stake", "200agr"},
         "prov");
    c.tx({"offer", "set", "1", "--cpu-price", "1", "--mem-price", "0", "--storage-price", "0"}, "prov");
    const json leased =
        c.tx({"lease", "from-offer", c.address("prov"), "1", "--resources", "cpu=1000,mem=1024,storage=10",
              "--duration", "100000", "--deposit", "200000000", "--max-price", "1000", "--offer-version", "1"},
             "client");
    const std::uint64_t leaseId = std::stoull(ExportChain::attr(leased, "lease_created", "lease_id"));
    const json job =
        c.tx({"job", "create", "--resources", "cpu=2000,mem=4096,storage=50", "--constraint", "region=eu",
              "--max-price", "100", "--duration", "100000", "--bidding-window", "5000", "--deposit", "10000000"},
             "client");
    c.tx({"bid", "place", ExportChain::attr(job, "job_created", "job_id"), "--price", "90"}, "prov");

    // Export needs the node stopped: the database lock says it is running.
    {
        auto [rc, out] = c.run({AGORAD_BINARY, "--home", c.oldHome(), "export"});
        INFO(out);
        REQUIRE(rc == 1);
        REQUIRE(out.find("is agorad running on this home?") != std::string::npos);
    }
    c.stop();
    const std::string genesisFile = c.dir.path("exported.json");
    {
        auto [rc, out] = c.run({AGORAD_BINARY, "--home", c.oldHome(), "export", "--output", genesisFile});
        INFO(out);
        REQUIRE(rc == 0);
    }
    std::ifstream in(genesisFile);
    const json exported = json::parse(in);
    const std::uint64_t h = exported["app_state"]["height"].get<std::uint64_t>();
    const std::string exportedHash = exported["app_state"]["app_hash"].get<std::string>();
    REQUIRE(exported["initial_height"] == h + 1);
    REQUIRE(exported["chain_id"] == "export-proc");

    // The original node, restarted, agrees that block h has that app_hash,
    // then continues to h + 1 by itself.
    c.start();
    REQUIRE(c.queryJson({"block", std::to_string(h)})["app_hash"] == exportedHash);
    c.waitHeight(h + 1);
    const std::string oldNextHash = c.queryJson({"block", std::to_string(h + 1)})["app_hash"];
    const json provAccount = c.account("prov");
    const json clientAccount = c.account("client");
    const q::LeaseRecord lease = c.leaseRecord(leaseId);
    c.stop();

    // A fresh home with the same validator key and the exported genesis.
    std::filesystem::create_directories(c.newHome + "/config");
    for (const char* f : {"config.toml", "node_key.json", "validator_key.json"})
        std::filesystem::copy_file(c.oldHome() + "/config/" + f, c.newHome + "/config/" + f);
    std::filesystem::copy_file(genesisFile, c.newHome + "/config/genesis.json");
    c.agorad->moveTo(c.newHome);
    c.start();
    c.waitHeight(h + 1);
    const json status = c.queryJson({"status"});
    REQUIRE(status["chain_id"] == "export-proc");
    REQUIRE(status["latest_height"].get<std::uint64_t>() >= h + 1);
    // The first height of the new chain executes to the app_hash the old chain reached at h + 1.
    REQUIRE(c.queryJson({"block", std::to_string(h + 1)})["app_hash"] == oldNextHash);
    REQUIRE(c.account("prov") == provAccount);
    REQUIRE(c.account("client") == clientAccount);
    REQUIRE(google::protobuf::util::MessageDifferencer::Equals(c.leaseRecord(leaseId), lease));
    // The imported state takes new txs.
    c.tx({"send", c.address("prov"), "5"}, "client");
    c.stop();
}
