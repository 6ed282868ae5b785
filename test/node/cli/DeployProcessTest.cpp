// `agora deploy` and `agora manifest` as a user runs them: the real agora
// binary against a real single-validator agorad on loopback. No provider
// exists here, so deploy must fail cleanly: job cancelled (or expired),
// deposit back, exit 1 with the reason. The run with a provider agent is
// the lead's end-to-end test.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agora/provider/v1/gateway.grpc.pb.h"
#include "node/gatewayauth/GatewayAuth.h"
#include "node/manifest/Manifest.h"
#include "support/ChildProcess.h"
#include "support/RunningNode.h"
#include "support/TempDir.h"

#ifndef AGORA_CLI_BINARY
#error "AGORA_CLI_BINARY must name the agora executable (test/CMakeLists.txt)"
#endif

using namespace agora;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

const std::string kExamples = std::string(AGORA_SOURCE_DIR) + "/docs/examples/";
constexpr std::uint64_t kFunded = 1'000'000'000;

struct Cli {
    test::TempDir dir{"agora-deploy-cli"};
    std::string ring = dir.path("ring");
    std::string pass = dir.path("pass.txt");
    std::string node = "127.0.0.1:1";  // nothing listens: commands that must not need a node
    std::atomic<int> calls = 0;        // the fake gateway runs commands from its own threads

    Cli() { std::ofstream(pass) << "pw\n"; }

    // Exit code and stdout+stderr of `agora ARGS`.
    std::pair<int, std::string> run(std::vector<std::string> args) {
        std::vector<std::string> full = {
            AGORA_CLI_BINARY, "--keyring-dir", ring, "--passphrase-file", pass, "--node", node};
        full.insert(full.end(), args.begin(), args.end());
        const std::string log = dir.path("cli-" + std::to_string(++calls) + ".log");
        const int rc = test::runToExit(full, log);
        std::ifstream in(log);
        return {rc, std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>())};
    }
    std::string write(const std::string& name, const std::string& text) {
        const std::string path = dir.path(name);
        std::ofstream(path) << text;
        return path;
    }
    // The first line of `out` that is a JSON object.
    static json jsonLine(const std::string& out) {
        std::size_t start = 0;
        while (start < out.size()) {
            const auto end = out.find('\n', start);
            const std::string line = out.substr(start, end == std::string::npos ? std::string::npos : end - start);
            if (!line.empty() && line[0] == '{') return json::parse(line);
            if (end == std::string::npos) break;
            start = end + 1;
        }
        FAIL("no JSON line in: " << out);
        return {};
    }
};

// A single-validator chain whose genesis funds the CLI's keys ("client" and any others).
struct Chain {
    Cli& cli;
    std::string client;
    std::unique_ptr<test::RunningNode> agorad;  // started once the keys it funds exist

    explicit Chain(Cli& c, const std::vector<std::string>& others = {}) : cli(c) {
        test::RunningNode::Setup setup;
        setup.moniker = "v0";
        for (const auto& k : others) setup.fund.push_back(addKey(k) + "=" + std::to_string(kFunded));
        client = addKey("client");
        setup.fund.push_back(client + "=" + std::to_string(kFunded));
        agorad = std::make_unique<test::RunningNode>("agora-deploy-node", "deploy-cli", setup);
        cli.node = agorad->address();
    }
    std::string addKey(const std::string& name) {
        REQUIRE(cli.run({"keys", "add", name}).first == 0);
        return address(name);
    }
    std::string address(const std::string& name) {
        auto [rc, shown] = cli.run({"keys", "show", name, "-a"});
        REQUIRE(rc == 0);
        return shown.substr(0, shown.find('\n'));
    }
    json query(std::vector<std::string> args) {
        args.insert(args.begin(), "query");
        args.insert(args.end(), {"-o", "json"});
        auto [rc, out] = cli.run(args);
        INFO(out);
        REQUIRE(rc == 0);
        return json::parse(out.substr(0, out.find('\n')));
    }
    std::uint64_t balance() { return std::stoull(query({"account", client})["balance"].get<std::string>()); }
};

// Plays the provider's agent at its gateway: checks every request's client
// signature like the real one, refuses the first SendManifest as an agent
// that has not seen the lease yet, reports the workload running, serves one
// log chunk and then (as the agent does when a batch exits 0) closes the
// lease `completed` on chain with the provider's key.
class FakeGateway final : public agora::provider::v1::ProviderGateway::Service {
public:
    FakeGateway(std::string chainId, std::string client, std::function<void(std::uint64_t)> closeLease)
        : chainId_(std::move(chainId)), client_(std::move(client)), closeLease_(std::move(closeLease)) {}

    std::atomic<int> sendCalls = 0;

    grpc::Status SendManifest(grpc::ServerContext*, const agora::provider::v1::SendManifestRequest* req,
                              agora::provider::v1::SendManifestResponse* resp) override {
        const std::string& m = req->manifest();
        if (auto s =
                verify(req->auth(), agora::provider::gateway_kind::kSendManifest, req->lease_id(), sha256(asBytes(m)));
            !s.ok())
            return s;
        if (++sendCalls == 1) return {grpc::StatusCode::FAILED_PRECONDITION, "lease not seen yet"};
        auto parsed = manifest::parseManifest(m);
        if (!parsed) return {grpc::StatusCode::INVALID_ARGUMENT, parsed.error().message};
        std::lock_guard lock(mutex_);
        manifest_ = m;
        resp->set_manifest_hash(manifest::manifestHash(*parsed).toHex());
        resp->set_state("deploying");
        return grpc::Status::OK;
    }
    grpc::Status LeaseStatus(grpc::ServerContext*, const agora::provider::v1::LeaseStatusRequest* req,
                             agora::provider::v1::LeaseStatusResponse* resp) override {
        if (auto s = verify(req->auth(), agora::provider::gateway_kind::kLeaseStatus, req->lease_id(),
                            agora::provider::statusBodyHash());
            !s.ok())
            return s;
        std::lock_guard lock(mutex_);
        resp->set_lease_id(req->lease_id());
        resp->set_state(done_ ? "succeeded" : manifest_.empty() ? "awaiting_manifest" : "running");
        auto* svc = resp->add_services();
        svc->set_name("main");
        svc->set_state(done_ ? "exited" : "running");
        svc->set_has_exit_code(done_);
        auto* e = resp->add_endpoints();
        e->set_service("main");
        e->set_port(8080);
        e->set_host("127.0.0.1");
        e->set_host_port(31000);
        e->set_address("127.0.0.1:31000");
        return grpc::Status::OK;
    }
    grpc::Status LeaseLogs(grpc::ServerContext*, const agora::provider::v1::LeaseLogsRequest* req,
                           grpc::ServerWriter<agora::provider::v1::LogChunk>* writer) override {
        if (auto s = verify(req->auth(), agora::provider::gateway_kind::kLeaseLogs, req->lease_id(),
                            agora::provider::logsBodyHash(req->service(), req->tail_lines(), req->follow()));
            !s.ok())
            return s;
        agora::provider::v1::LogChunk chunk;
        chunk.set_service("main");
        chunk.set_data("hello from the fake gateway\n");
        writer->Write(chunk);
        closeLease_(req->lease_id());
        std::lock_guard lock(mutex_);
        done_ = true;
        return grpc::Status::OK;
    }
    grpc::Status LeaseEvents(grpc::ServerContext*, const agora::provider::v1::LeaseEventsRequest*,
                             grpc::ServerWriter<agora::provider::v1::LeaseEvent>*) override {
        return {grpc::StatusCode::UNIMPLEMENTED, "not faked"};
    }

private:
    grpc::Status verify(const agora::provider::v1::ClientAuth& a, std::string_view kind, std::uint64_t leaseId,
                        const Hash256& bodyHash) const {
        auto pk = PublicKey::fromSpan(asBytes(a.public_key()));
        auto sig = Signature::fromSpan(asBytes(a.signature()));
        if (!pk || !sig) return {grpc::StatusCode::UNAUTHENTICATED, "missing or malformed client auth"};
        const auto now = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                .count());
        auto who = agora::provider::verifyGatewayRequest({*pk, a.timestamp_ms(), *sig}, chainId_, kind, leaseId,
                                                         bodyHash, now, 120'000);
        if (!who)
            return {grpc::StatusCode::UNAUTHENTICATED, std::string(agora::provider::gatewayAuthErrorName(who.error()))};
        if (who->toBech32() != client_) return {grpc::StatusCode::PERMISSION_DENIED, "not the lease's client"};
        return grpc::Status::OK;
    }

    std::string chainId_;
    std::string client_;
    std::function<void(std::uint64_t)> closeLease_;
    std::mutex mutex_;
    std::string manifest_;
    bool done_ = false;
};

}  // namespace

TEST_CASE("agora deploy with no provider cancels its job, refunds the deposit and exits 1", "[cli][deploy][process]") {
    Cli cli;
    Chain chain(cli);
    auto [rc, out] =
        cli.run({"deploy", kExamples + "hello-batch.yaml", "--from", "client", "--duration", "400", "--max-price",
                 "1000", "--deposit", "2000000", "--bid-wait", "2", "--bidding-window", "1000", "-o", "json"});
    INFO(out);
    REQUIRE(rc == 1);
    REQUIRE_THAT(out, Catch::Contains("waiting for bids ("));
    REQUIRE_THAT(out, Catch::Contains("Error: no bids within 2 s; job "));
    REQUIRE_THAT(out, Catch::Contains(" cancelled, deposit refunded (2000000 uagr)"));
    const json result = Cli::jsonLine(out);
    REQUIRE(result["state"] == "cancelled");
    REQUIRE(result["lease_id"] == 0);
    REQUIRE_THAT(result["error"].get<std::string>(), Catch::Contains("no bids within 2 s"));
    const std::string jobId = std::to_string(result["job_id"].get<std::uint64_t>());
    const json job = chain.query({"job", jobId});
    REQUIRE(job["state"] == "cancelled");
    REQUIRE(job["deposit"] == "0");
    // The manifest's hash went on chain with the job.
    auto [hrc, hash] = cli.run({"manifest", "hash", kExamples + "hello-batch.yaml"});
    REQUIRE(hrc == 0);
    REQUIRE(job["manifest_hash"] == hash.substr(0, hash.find('\n')));
    // Two fees (job_create, job_cancel) of 1000 uagr; the deposit came back.
    REQUIRE(chain.balance() == kFunded - 2'000);
}

TEST_CASE("agora deploy stops collecting when the bidding window closes", "[cli][deploy][process]") {
    Cli cli;
    Chain chain(cli);
    auto [rc, out] =
        cli.run({"deploy", kExamples + "hello-batch.yaml", "--from", "client", "--duration", "400", "--max-price",
                 "1000", "--deposit", "2000000", "--bid-wait", "600", "--bidding-window", "3"});
    INFO(out);
    REQUIRE(rc == 1);
    REQUIRE_THAT(out, Catch::Contains("Error: no bids within the bidding window (3 blocks); job "));
    REQUIRE_THAT(out, Catch::Contains("deposit refunded"));
    // Whether it was cancelled or had expired first, nothing stays in escrow.
    REQUIRE(test::waitUntil([&] { return chain.balance() >= kFunded - 2'000; }, 30s));
}

TEST_CASE("agora deploy refuses a malformed manifest or bad flags before contacting the node", "[cli][deploy]") {
    Cli cli;  // --node points where nothing listens: any RPC would fail differently
    const std::string bad = cli.write("bad.yaml",
                                      "version: 1\n"
                                      "kind: batch\n"
                                      "resources: {cpu: 500m, memory: 256Mi, storage: 1Gi}\n"
                                      "services:\n"
                                      "  main:\n"
                                      "    command: []\n");
    auto [rc, out] = cli.run(
        {"deploy", bad, "--from", "client", "--duration", "400", "--max-price", "1000", "--deposit", "2000000"});
    INFO(out);
    REQUIRE(rc == 1);
    REQUIRE_THAT(out, Catch::StartsWith("Error: manifest " + bad + ": invalid_value: line 6"));
    REQUIRE_THAT(out, Catch::Contains("services.main.command"));

    auto [rc2, out2] = cli.run({"deploy", kExamples + "hello-batch.yaml", "--from", "client", "--duration", "400",
                                "--max-price", "1000", "--deposit", "1000"});
    INFO(out2);
    REQUIRE(rc2 == 1);
    REQUIRE_THAT(out2, Catch::Contains("Error: --deposit 1000 uagr is below --max-price x --duration = 400000 uagr"));

    auto [rc3, out3] = cli.run({"deploy", cli.dir.path("missing.yaml"), "--from", "client", "--duration", "4",
                                "--max-price", "1", "--deposit", "4"});
    REQUIRE(rc3 == 1);
    REQUIRE_THAT(out3, Catch::Contains("unreadable"));
}

TEST_CASE("agora manifest hash and check on the example manifests and on malformed ones", "[cli][manifest]") {
    Cli cli;
    for (const char* name : {"hello-batch.yaml", "http-service.yaml", "oom-batch.yaml"}) {
        auto [rc, out] = cli.run({"manifest", "hash", kExamples + name});
        INFO(name << ": " << out);
        REQUIRE(rc == 0);
        REQUIRE(out.size() == 65);  // 64 hex and a newline
        auto [crc, cout] = cli.run({"manifest", "check", kExamples + name});
        REQUIRE(crc == 0);
        REQUIRE_THAT(cout, Catch::Contains(": ok ("));
    }
    {
        auto [rc, out] = cli.run({"manifest", "hash", kExamples + "hello-batch.yaml", "-o", "json"});
        REQUIRE(rc == 0);
        const json j = json::parse(out);
        REQUIRE(j["kind"] == "batch");
        REQUIRE(j["services"] == json::array({"main"}));
        REQUIRE(j["resources"]["cpu_millicores"] == 500);
        REQUIRE(j["resources"]["memory_mib"] == 256);
        REQUIRE(j["resources"]["storage_gib"] == 1);
        REQUIRE(j["hash"].get<std::string>().size() == 64);
        // JSON spelling of the same workload: same hash.
        const std::string asJson = cli.write(
            "hello.json",
            R"({"services": {"main": {"command": ["/bin/sh", "-c", "echo hello from $AGORA_LEASE_ID; sha256sum /etc/hostname"]}},
                "resources": {"storage": "1Gi", "memory": "256Mi", "cpu": 0.5}, "kind": "batch", "version": 1})");
        auto [jrc, jout] = cli.run({"manifest", "hash", asJson});
        INFO(jout);
        REQUIRE(jrc == 0);
        REQUIRE(jout.substr(0, 64) == j["hash"]);
    }
    {
        const std::string bad = cli.write("unknown.yaml",
                                          "version: 1\n"
                                          "kind: batch\n"
                                          "resources: {cpu: 1, memory: 1Gi, storage: 1Gi}\n"
                                          "services:\n"
                                          "  main:\n"
                                          "    command: [\"true\"]\n"
                                          "    colour: blue\n");
        auto [rc, out] = cli.run({"manifest", "check", bad});
        INFO(out);
        REQUIRE(rc == 1);
        REQUIRE_THAT(out, Catch::StartsWith("Error: manifest " + bad + ": unknown_field: line 7"));
        REQUIRE(std::count(out.begin(), out.end(), '\n') == 1);
    }
    {
        const std::string bad = cli.write("syntax.yaml", "version: 1\nservices: [\n");
        auto [rc, out] = cli.run({"manifest", "hash", bad});
        INFO(out);
        REQUIRE(rc == 1);
        REQUIRE_THAT(out, Catch::StartsWith("Error: manifest " + bad + ": syntax"));
    }
}

TEST_CASE("agora manifest check --job compares the manifest with the job on chain", "[cli][manifest][process]") {
    Cli cli;
    Chain chain(cli);
    auto [hrc, hashOut] = cli.run({"manifest", "hash", kExamples + "hello-batch.yaml"});
    REQUIRE(hrc == 0);
    const std::string hash = hashOut.substr(0, 64);
    const auto post = [&](const std::string& resources, const std::string& manifestHash) {
        auto [rc, out] = cli.run({"tx",
                                  "--from",
                                  "client",
                                  "--wait",
                                  "-o",
                                  "json",
                                  "job",
                                  "create",
                                  "--resources",
                                  resources,
                                  "--max-price",
                                  "10",
                                  "--duration",
                                  "10",
                                  "--bidding-window",
                                  "1000",
                                  "--deposit",
                                  "100",
                                  "--manifest-hash",
                                  manifestHash});
        INFO(out);
        REQUIRE(rc == 0);
        const json result = json::parse(out);
        for (const auto& e : result["events"])
            if (e["type"] == "job_created") return e["attributes"]["job_id"].get<std::string>();
        FAIL("no job_created event");
        return std::string();
    };
    const std::string fits = post("cpu=1000,mem=512,storage=1", hash);
    auto [rc, out] = cli.run({"manifest", "check", kExamples + "hello-batch.yaml", "--job", fits});
    INFO(out);
    REQUIRE(rc == 0);
    REQUIRE_THAT(out, Catch::Contains("fits job " + fits));

    const std::string small = post("cpu=100,mem=512,storage=1", hash);
    auto [src, sout] = cli.run({"manifest", "check", kExamples + "hello-batch.yaml", "--job", small});
    INFO(sout);
    REQUIRE(src == 1);
    REQUIRE_THAT(sout, Catch::Contains("exceeds_job"));

    const std::string other = post("cpu=1000,mem=512,storage=1", std::string(63, '0') + "1");
    auto [orc, oout] = cli.run({"manifest", "check", kExamples + "hello-batch.yaml", "--job", other});
    INFO(oout);
    REQUIRE(orc == 1);
    REQUIRE_THAT(oout, Catch::Contains("but job " + other + " was posted for"));
}

TEST_CASE("agora deploy takes the bid, sends the manifest, follows the logs and settles a completed batch",
          "[cli][deploy][process]") {
    Cli cli;
    Chain chain(cli, {"prov"});
    const std::string prov = chain.address("prov");
    const auto tx = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {"tx", "--from", "prov", "--wait", "-o", "json"});
        auto [rc, out] = cli.run(args);
        INFO(out);
        REQUIRE(rc == 0);
        REQUIRE(json::parse(out.substr(0, out.find('\n')))["code"] == 0);
    };
    std::atomic<bool> closed = false;
    FakeGateway gateway("deploy-cli", chain.client, [&](std::uint64_t lease) {
        auto [rc, out] = cli.run(
            {"tx", "--from", "prov", "--wait", "lease", "close", std::to_string(lease), "--reason", "completed"});
        closed = rc == 0;
    });
    const std::string gatewayAddress = "127.0.0.1:" + std::to_string(test::freePort());
    grpc::ServerBuilder builder;
    builder.AddListeningPort(gatewayAddress, grpc::InsecureServerCredentials());
    builder.RegisterService(&gateway);
    auto server = builder.BuildAndStart();
    REQUIRE(server);
    tx({"provider", "register", "--host", gatewayAddress, "--capacity", "cpu=8000,mem=16384,storage=500", "--stake",
        "200agr"});

    test::ChildProcess deploy({AGORA_CLI_BINARY,
                               "--keyring-dir",
                               cli.ring,
                               "--passphrase-file",
                               cli.pass,
                               "--node",
                               cli.node,
                               "deploy",
                               kExamples + "hello-batch.yaml",
                               "--from",
                               "client",
                               "--duration",
                               "400",
                               "--max-price",
                               "1000",
                               "--deposit",
                               "2000000",
                               "--bid-wait",
                               "1",
                               "--first-bid-wait",
                               "90",
                               "--bidding-window",
                               "1000",
                               "--follow",
                               "--rating",
                               "4",
                               "-o",
                               "json"},
                              cli.dir.path("deploy.log"));
    // The provider bids once the job is on chain (job ids start at 1).
    REQUIRE(test::waitUntil([&] { return cli.run({"query", "job", "1"}).first == 0; }, 60s));
    tx({"bid", "place", "1", "--price", "800"});
    const int rc = deploy.waitExit(120s);
    const std::string out = deploy.log();
    INFO(out);
    REQUIRE(rc == 0);
    REQUIRE(closed);
    REQUIRE(gateway.sendCalls >= 2);  // the first was refused as "not seen yet" and retried
    REQUIRE_THAT(out, Catch::Contains("bid 1 from " + prov + " at 800 uagr/s, reputation "));
    REQUIRE_THAT(out, Catch::Contains(" won by " + prov + " at 800 uagr/s"));
    REQUIRE_THAT(out, Catch::Contains("sending manifest to " + gatewayAddress));
    REQUIRE_THAT(out, Catch::Contains("gateway not ready (FAILED_PRECONDITION: lease not seen yet)"));
    REQUIRE_THAT(out, Catch::Contains("main 8080 -> 127.0.0.1:31000"));
    REQUIRE_THAT(out, Catch::Contains("hello from the fake gateway"));
    const json result = Cli::jsonLine(out);
    REQUIRE(result["job_id"] == 1);
    REQUIRE(result["bid_id"] == 1);
    REQUIRE(result["provider"] == prov);
    REQUIRE(result["price"] == "800");
    REQUIRE(result["state"] == "succeeded");
    REQUIRE(result["close_reason"] == "completed");
    REQUIRE(result["endpoints"][0]["address"] == "127.0.0.1:31000");
    REQUIRE_FALSE(result.contains("error"));
    const std::string leaseId = std::to_string(result["lease_id"].get<std::uint64_t>());
    const json lease = chain.query({"lease", leaseId});
    REQUIRE(lease["settled"] == true);
    REQUIRE(lease["rating"] == 4);
    REQUIRE(result["paid"]["paid_to_provider"] == lease["paid_out"]);
    REQUIRE(std::stoull(result["paid"]["refunded"].get<std::string>()) > 0);

    // The lease commands against the same gateway, as the client and as someone else.
    auto [src, sout] = cli.run({"lease", "status", leaseId, "--from", "client"});
    INFO(sout);
    REQUIRE(src == 0);
    REQUIRE_THAT(sout, Catch::Contains("lease " + leaseId + ": closed (completed)"));
    REQUIRE_THAT(sout, Catch::Contains("gateway state: succeeded"));
    REQUIRE_THAT(sout, Catch::Contains("endpoint main 8080 -> 127.0.0.1:31000"));
    auto [lrc, lout] = cli.run({"lease", "logs", leaseId, "--from", "client"});
    REQUIRE(lrc == 0);
    REQUIRE(lout == "hello from the fake gateway\n");
    auto [prc, pout] = cli.run({"lease", "status", leaseId, "--from", "prov"});
    REQUIRE(prc == 1);
    REQUIRE_THAT(pout, Catch::Contains("is not the client of lease " + leaseId));
    const std::string other = cli.write("other.yaml",
                                        "version: 1\nkind: batch\nresources: {cpu: 1, memory: 1Gi, "
                                        "storage: 1Gi}\nservices:\n  main:\n    command: [\"true\"]\n");
    auto [mrc, mout] = cli.run({"lease", "send-manifest", leaseId, other, "--from", "client"});
    REQUIRE(mrc == 1);
    REQUIRE_THAT(mout, Catch::Contains("but lease " + leaseId + " was made for "));
    server->Shutdown();
}
