// The HTTP gateway on a real agorad process (AGORAD_BINARY): the REST mirror
// of the queries, POST /v1/txs in both modes, error codes and limits, the
// WebSocket event stream (filter, order, resume), /health, /metrics through
// python3-prometheus-client, and the explorer page in headless Chromium.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <memory>
#include <set>

#include "node/config/NodeConfig.h"
#include "support/ChildProcess.h"
#include "support/RunningNode.h"
#include "support/TestKeys.h"
#include "test/node/http/TestHttpClient.h"

#ifndef AGORAD_BINARY
#error "AGORAD_BINARY must name the agorad executable (test/CMakeLists.txt)"
#endif

using namespace agora;
using namespace std::chrono_literals;
using Json = nlohmann::json;
using node::test::httpRequest;
using node::test::TestResponse;
using node::test::TestWsClient;

namespace {

const char* kChain = "gateway-proc";
constexpr std::uint8_t kProvider = 1;
constexpr std::uint8_t kClient = 2;

Address addr(std::uint8_t key) {
    return Address::fromPublicKey(agora::test::testKey(key).publicKey);
}

// testKey(1) (provider) and testKey(2) (client) funded, HTTP on `port` (RunningNode).
struct GatewayNode {
    std::uint16_t port = static_cast<std::uint16_t>(agora::test::freePort());
    agora::test::RunningNode agorad;
    std::string grpcAddress = agorad.address();
    std::map<std::uint8_t, std::uint64_t> nonces;

    explicit GatewayNode(std::uint32_t maxConnections = 64)
        : agorad("agorad-gateway", kChain, [&](node::NodeConfig& cfg) {
              cfg.moniker = "val0";
              cfg.http.enabled = true;
              cfg.http.address = "127.0.0.1:" + std::to_string(port);
              cfg.p2p.listenAddress = "127.0.0.1:" + std::to_string(agora::test::freePort());
              cfg.http.maxConnections = maxConnections;
              cfg.http.maxBodyBytes = 64 * 1024;
          }) {}
    std::string path(const std::string& child) const { return agorad.path(child); }

    std::optional<TestResponse> get(const std::string& target) { return httpRequest(port, "GET", target); }
    Json getJson(const std::string& target, unsigned status = 200) {
        auto r = get(target);
        REQUIRE(r);
        INFO(target << " -> " << r->body);
        REQUIRE(r->status == status);
        REQUIRE(r->header("content-type") == "application/json");
        auto j = r->json();
        REQUIRE(!j.is_discarded());
        return j;
    }

    std::uint64_t height() {
        auto r = get("/v1/status");
        if (!r || r->status != 200) return 0;
        return r->json().value("latest_height", std::uint64_t{0});
    }
    bool waitHeight(std::uint64_t h) {
        return agora::test::waitUntil([&] { return height() >= h; }, 60s);
    }

    std::string signedHex(std::uint8_t key, Msg msg) {
        Tx tx;
        tx.chainId = kChain;
        tx.nonce = nonces[key]++;
        tx.fee = Amount(1'000);
        tx.msgs = {std::move(msg)};
        return toHex(agora::test::signTx(agora::test::testKey(key), tx).bytes());
    }
    std::optional<TestResponse> post(const Json& body) {
        return httpRequest(port, "POST", "/v1/txs", body.dump(), {{"Content-Type", "application/json"}});
    }
    // Commit mode; requires a committed success.
    Json commit(std::uint8_t key, Msg msg) {
        auto r = post(Json{{"tx", signedHex(key, std::move(msg))}, {"mode", "commit"}});
        REQUIRE(r);
        INFO(r->body);
        REQUIRE(r->status == 200);
        const Json j = r->json();
        REQUIRE(j["code"] == 0);
        REQUIRE(j["height"].get<std::uint64_t>() >= 1);
        return j;
    }

    // Provider registers; job 1 gets a bid that is accepted (lease 1); job 2 keeps an open bid.
    struct Lifecycle {
        std::uint64_t firstHeight = 0;
        std::uint64_t lastHeight = 0;
    };
    Lifecycle runLifecycle() {
        Lifecycle l;
        l.firstHeight = commit(kProvider, MsgProviderRegister{"https://provider.example",
                                                              {{"region", "eu"}},
                                                              Resources{4000, 8192, 100, {}},
                                                              Amount(200'000'000)})["height"];
        const MsgJobCreate job{
            Resources{1000, 1024, 10, {}}, {{"region", "eu"}}, Amount(500), 1000, 500, 0, Amount(500'000)};
        commit(kClient, job);
        commit(kClient, job);
        commit(kProvider, MsgBidPlace{1, Amount(400), Amount(1'000'000)});
        commit(kProvider, MsgBidPlace{2, Amount(450), Amount(1'000'000)});
        const Json bids = getJson("/v1/jobs/1/bids");
        REQUIRE(bids["bids"].size() == 1);
        l.lastHeight = commit(kClient, MsgBidAccept{bids["bids"][0]["id"].get<std::uint64_t>()})["height"];
        return l;
    }

    std::string log() const { return agorad.log(); }
};

void requireError(const std::optional<TestResponse>& r, unsigned status, const Json& code) {
    REQUIRE(r);
    INFO(r->body);
    REQUIRE(r->status == status);
    const Json j = r->json();
    REQUIRE(j.is_object());
    REQUIRE(j["code"] == code);
    REQUIRE(j["message"].is_string());
}

}  // namespace

TEST_CASE("the gateway serves every REST endpoint with JSON records after a lifecycle posted over HTTP",
          "[gateway][process]") {
    GatewayNode net;
    INFO(net.log());
    REQUIRE(net.waitHeight(1));
    const auto life = net.runLifecycle();
    const std::string provider = addr(kProvider).toBech32();
    const std::string client = addr(kClient).toBech32();

    const Json status = net.getJson("/v1/status");
    REQUIRE(status["chain_id"] == kChain);
    REQUIRE(status["latest_height"].get<std::uint64_t>() >= life.lastHeight);
    REQUIRE(status["latest_block_id"].get<std::string>().size() == 64);
    REQUIRE(status["catching_up"] == false);

    const Json latest = net.getJson("/v1/blocks/latest");
    REQUIRE(latest["height"].get<std::uint64_t>() >= life.lastHeight);
    const Json b1 = net.getJson("/v1/blocks/" + std::to_string(life.firstHeight));
    REQUIRE(b1["height"] == life.firstHeight);
    REQUIRE(b1["num_txs"] == 1);
    REQUIRE(b1["header"]["chain_id"] == kChain);
    const Json byHash = net.getJson("/v1/blocks/hash/" + b1["block_id"].get<std::string>());
    REQUIRE(byHash["height"] == life.firstHeight);

    const std::string txHash = b1["txs"][0]["hash"];
    const Json tx = net.getJson("/v1/txs/" + txHash);
    REQUIRE(tx["height"] == life.firstHeight);
    REQUIRE(tx["index"] == 0);
    REQUIRE(tx["result"]["code"] == 0);
    REQUIRE(tx["result"]["fee_charged"] == "1000");
    REQUIRE(tx["result"]["events"].is_array());

    const Json account = net.getJson("/v1/accounts/" + client);
    REQUIRE(account["address"] == client);
    REQUIRE(account["balance"].is_string());
    REQUIRE(account["next_nonce"] == 3);
    REQUIRE(account["pending_nonce"] == 3);  // nothing of it pending

    const Json providers = net.getJson("/v1/providers?attr=region%3Deu");
    REQUIRE(providers["providers"].size() == 1);
    REQUIRE(providers["providers"][0]["address"] == provider);
    REQUIRE(providers["next_key"] == "");
    REQUIRE(net.getJson("/v1/providers?attr=region=us")["providers"].empty());
    REQUIRE(net.getJson("/v1/providers/" + provider)["host_uri"] == "https://provider.example");

    const Json job1 = net.getJson("/v1/jobs/1");
    REQUIRE(job1["id"] == 1);
    REQUIRE(job1["lease_id"] == 1);
    REQUIRE(job1["state"].is_string());
    REQUIRE(net.getJson("/v1/jobs/2")["deposit"] == "500000");  // job 1 moved its deposit into the lease
    const Json open = net.getJson("/v1/jobs");
    REQUIRE(open["jobs"].size() == 1);
    REQUIRE(open["jobs"][0]["id"] == 2);
    REQUIRE(net.getJson("/v1/jobs/2/bids")["bids"].size() == 1);
    REQUIRE(net.getJson("/v1/jobs/1/bids?include_closed=true")["bids"].size() == 1);

    const Json lease = net.getJson("/v1/leases/1");
    REQUIRE(lease["provider"] == provider);
    REQUIRE(lease["client"] == client);
    REQUIRE(net.getJson("/v1/leases?client=" + client)["leases"].size() == 1);
    REQUIRE(net.getJson("/v1/leases?provider=" + provider + "&limit=1")["leases"].size() == 1);
    const Json escrow = net.getJson("/v1/escrow/1");
    REQUIRE(escrow["lease_id"] == 1);
    REQUIRE(escrow["deposited"].is_string());
    REQUIRE(escrow["remaining"].is_string());
    REQUIRE(escrow["accrued"].is_string());
    REQUIRE(net.getJson("/v1/reputation/" + provider)["provider"] == provider);
    const Json validators = net.getJson("/v1/validators");
    REQUIRE(validators["validators"].size() == 1);
    REQUIRE(validators["validators"][0]["tokens"].is_string());
    REQUIRE(net.getJson("/v1/params")["min_fee"].is_string());

    // Pagination: a page of one, then the cursor continues where it stopped.
    const Json page1 = net.getJson("/v1/providers?limit=1");
    REQUIRE(page1["providers"].size() == 1);
    if (!page1["next_key"].get<std::string>().empty()) {
        REQUIRE(
            net.getJson("/v1/providers?limit=1&page_key=" + page1["next_key"].get<std::string>())["providers"].empty());
    }

    // Errors: stable codes and HTTP statuses.
    requireError(net.get("/v1/nothing"), 404, "not_found");
    requireError(net.get("/v1/jobs/999"), 404, "not_found");
    requireError(net.get("/v1/jobs/abc"), 400, "invalid_argument");
    requireError(net.get("/v1/blocks/999999"), 404, "not_found");
    requireError(net.get("/v1/blocks/hash/zz"), 400, "invalid_argument");
    requireError(net.get("/v1/txs/" + std::string(64, '0')), 404, "not_found");
    requireError(net.get("/v1/accounts/notanaddress"), 400, "invalid_argument");
    requireError(net.get("/v1/leases"), 400, "invalid_argument");
    requireError(net.get("/v1/providers?attr=noequals"), 400, "invalid_argument");
    requireError(net.get("/v1/validators?page_key=xyz"), 400, "invalid_argument");
    requireError(net.get("/v1/jobs/1/bids?include_closed=maybe"), 400, "invalid_argument");
    requireError(httpRequest(net.port, "DELETE", "/v1/status"), 405, "method_not_allowed");
    requireError(net.get("/v1/jobs?x=%zz"), 400, "bad_request");

    const Json health = net.getJson("/health");
    REQUIRE(health["status"] == "ok");
    REQUIRE(health["consensus_alive"] == true);
}

TEST_CASE("POST /v1/txs admits in sync mode and answers bad bodies, failed admission and oversize with codes",
          "[gateway][process]") {
    GatewayNode net;
    INFO(net.log());
    REQUIRE(net.waitHeight(1));

    // Sync mode, base64 encoding: admitted, then committed (found by hash).
    const std::string hex = net.signedHex(kClient, MsgSend{addr(kProvider), Amount(10)});
    const Bytes raw = *fromHex(hex);
    static const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string b64;
    for (std::size_t i = 0; i < raw.size(); i += 3) {
        std::uint32_t v = std::uint32_t{raw[i]} << 16;
        if (i + 1 < raw.size()) v |= std::uint32_t{raw[i + 1]} << 8;
        if (i + 2 < raw.size()) v |= raw[i + 2];
        b64 += kB64[(v >> 18) & 63];
        b64 += kB64[(v >> 12) & 63];
        b64 += i + 1 < raw.size() ? kB64[(v >> 6) & 63] : '=';
        b64 += i + 2 < raw.size() ? kB64[v & 63] : '=';
    }
    auto r = net.post(Json{{"tx", b64}, {"encoding", "base64"}, {"mode", "sync"}});
    REQUIRE(r);
    INFO(r->body);
    REQUIRE(r->status == 200);
    const std::string hash = r->json()["tx_hash"];
    REQUIRE(hash == sha256(raw).toHex());
    REQUIRE(agora::test::waitUntil(
        [&] {
            auto t = net.get("/v1/txs/" + hash);
            return t && t->status == 200;
        },
        30s));

    // The same tx again: committed already, so its nonce is too low (mempool code 504 -> 422).
    requireError(net.post(Json{{"tx", hex}}), 422, 504);
    // Malformed tx bytes: mempool code 500 -> 400.
    requireError(net.post(Json{{"tx", "00ff"}}), 400, 500);
    // Bad bodies.
    requireError(net.post(Json::array()), 400, "invalid_argument");
    requireError(httpRequest(net.port, "POST", "/v1/txs", "{not json"), 400, "invalid_argument");
    requireError(net.post(Json{{"tx", "!!"}}), 400, "invalid_argument");
    requireError(net.post(Json{{"tx", hex}, {"mode", "later"}}), 400, "invalid_argument");
    requireError(net.post(Json{{"tx", hex}, {"extra", 1}}), 400, "invalid_argument");
    // Oversize: over max_body_bytes (64 KiB in this config).
    requireError(httpRequest(net.port, "POST", "/v1/txs", std::string(70 * 1024, 'a')), 413, "body_too_large");
    // Commit mode with a nonce gap: admission fails at once, nothing waits.
    net.nonces[kClient] += 5;
    requireError(
        net.post(Json{{"tx", net.signedHex(kClient, MsgSend{addr(kProvider), Amount(1)})}, {"mode", "commit"}}), 422,
        505);
}

TEST_CASE(
    "a filtered WebSocket subscription gets exactly the matching lifecycle events in order, and a resumed one "
    "replays them",
    "[gateway][process][ws]") {
    GatewayNode net;
    INFO(net.log());
    REQUIRE(net.waitHeight(1));
    const Json filter = {{"types", {"bid_placed", "lease_created"}}, {"attributes", {{"job_id", "1"}}}};
    TestWsClient live(net.port, "/v1/events");
    REQUIRE(live.open());
    REQUIRE(live.send(Json{{"op", "subscribe"}, {"id", "job1"}, {"filter", filter}}));
    REQUIRE(live.waitFor([](const auto& m) { return TestWsClient::hasType(m, "subscribed", "job1"); }));

    const auto life = net.runLifecycle();
    REQUIRE(live.waitFor([](const auto& m) { return TestWsClient::eventsOf(m, "job1").size() >= 2; }));
    // Everything published up to the last block has arrived once a later new_block is seen on another subscription.
    REQUIRE(live.send(Json{{"op", "subscribe"}, {"id", "blocks"}, {"filter", {{"types", {"new_block"}}}}}));
    REQUIRE(net.waitHeight(life.lastHeight + 2));
    REQUIRE(live.waitFor([&](const std::vector<Json>& m) {
        for (const auto& e : TestWsClient::eventsOf(m, "blocks"))
            if (e["height"].get<std::uint64_t>() > life.lastHeight) return true;
        return false;
    }));
    const auto events = live.events("job1");
    REQUIRE(events.size() == 2);
    REQUIRE(events[0]["type"] == "bid_placed");
    REQUIRE(events[0]["attributes"]["job_id"] == "1");
    REQUIRE(events[0]["attributes"]["provider"] == addr(kProvider).toBech32());
    REQUIRE(events[0]["attributes"].contains("tx_hash"));
    REQUIRE(events[1]["type"] == "lease_created");
    REQUIRE(events[1]["attributes"]["lease_id"] == "1");
    REQUIRE(events[0]["height"].get<std::uint64_t>() < events[1]["height"].get<std::uint64_t>());

    // Resume from the provider's registration height: the same two events are replayed, in order.
    TestWsClient resumed(net.port, "/v1/events");
    REQUIRE(resumed.open());
    REQUIRE(resumed.send(
        Json{{"op", "subscribe"}, {"id", "again"}, {"filter", filter}, {"from_height", life.firstHeight}}));
    REQUIRE(resumed.waitFor([](const auto& m) { return TestWsClient::eventsOf(m, "again").size() >= 2; }));
    const auto msgs = resumed.messages();
    REQUIRE(msgs[0]["type"] == "subscribed");
    REQUIRE(msgs[0]["replayed"] == 2);
    REQUIRE(msgs[0]["through_height"].get<std::uint64_t>() >= life.lastHeight);
    const auto replayed = resumed.events("again");
    REQUIRE(replayed.size() == 2);
    REQUIRE(replayed[0] == events[0]);
    REQUIRE(replayed[1] == events[1]);

    // A bad filter gets an error reply on the same session.
    REQUIRE(resumed.send(Json{{"op", "subscribe"}, {"id", "bad"}, {"filter", {{"nope", 1}}}}));
    REQUIRE(resumed.waitFor([](const auto& m) {
        for (const auto& x : m)
            if (x["type"] == "error" && x["id"] == "bad" && x["code"] == "bad_filter") return true;
        return false;
    }));
}

TEST_CASE("/metrics parses with prometheus_client and tracks the marketplace incrementally", "[gateway][process]") {
    GatewayNode net;
    INFO(net.log());
    REQUIRE(net.waitHeight(1));
    net.runLifecycle();
    // One gRPC call that succeeds and one that fails, counted by method and status.
    REQUIRE(agora::test::runToExit({AGORA_CLI_BINARY, "query", "status", "--node", net.grpcAddress},
                                   net.path("cli-status.log")) == 0);
    REQUIRE(agora::test::runToExit({AGORA_CLI_BINARY, "query", "job", "999", "--node", net.grpcAddress},
                                   net.path("cli-job.log")) != 0);
    auto m = net.get("/metrics");
    REQUIRE(m);
    REQUIRE(m->status == 200);
    const std::string file = net.path("metrics.txt");
    {
        std::ofstream out(file);
        out << m->body;
    }
    const std::string script = net.path("parse.py");
    {
        std::ofstream out(script);
        out << "import sys\n"
               "from prometheus_client.parser import text_string_to_metric_families\n"
               "for fam in text_string_to_metric_families(open(sys.argv[1]).read()):\n"
               "    for s in fam.samples:\n"
               "        print(fam.type, s.name, ','.join(k + '=' + v for k, v in sorted(s.labels.items())), s.value)\n";
    }
    const std::string parsed = net.path("parsed.txt");
    REQUIRE(agora::test::runToExit({"/bin/sh", "-c", "/usr/bin/python3 " + script + " " + file + " > " + parsed},
                                   net.path("python.log")) == 0);
    std::ifstream in(parsed);
    std::map<std::string, double> samples;  // "name{labels}" -> value
    std::set<std::string> names;
    std::string type, name, labels;
    double value = 0;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        ls >> type >> name;
        std::string rest;
        std::getline(ls, rest);
        const auto sp = rest.rfind(' ');
        labels = rest.substr(1, sp == std::string::npos ? 0 : sp - 1);
        value = std::stod(rest.substr(sp + 1));
        names.insert(name);
        samples[name + "{" + labels + "}"] = value;
    }
    INFO(m->body);
    for (const char* n : {"agora_chain_height", "agora_block_interval_seconds_count", "agora_txs_committed_total",
                          "agora_mempool_txs", "agora_mempool_bytes", "agora_p2p_peers", "agora_consensus_round",
                          "agora_consensus_step", "agora_validator_missed_blocks_total", "agora_jobs_open",
                          "agora_leases_open", "agora_escrow_locked_uagr", "agora_http_requests_total"}) {
        INFO(n);
        REQUIRE(names.count(n) == 1);
    }
    REQUIRE(samples["agora_chain_height{}"] >= 7);
    REQUIRE(samples["agora_txs_committed_total{}"] == 6);
    REQUIRE(samples["agora_p2p_peers{}"] == 0);
    REQUIRE(samples["agora_jobs_open{}"] == 1);
    REQUIRE(samples["agora_leases_open{}"] == 1);
    // Lease 1's escrow: the client's deposit on accept (the ledger's lease_created deposit).
    const Json lease = net.getJson("/v1/leases/1");
    REQUIRE(samples["agora_escrow_locked_uagr{}"] == std::stod(lease["deposited"].get<std::string>()));
    REQUIRE(samples["agora_http_requests_total{code=200,method=POST,route=/v1/txs}"] == 6);
    REQUIRE(samples["agora_grpc_requests_total{code=OK,method=/agora.query.v1.QueryService/Status}"] >= 1);
    REQUIRE(samples["agora_grpc_requests_total{code=NOT_FOUND,method=/agora.query.v1.QueryService/Job}"] == 1);
}

TEST_CASE("a connection flood beyond max_connections is answered 429 while the node keeps serving",
          "[gateway][process]") {
    GatewayNode net(4);
    INFO(net.log());
    REQUIRE(net.waitHeight(1));
    std::vector<std::unique_ptr<node::test::TestHttpConnection>> held;
    for (int i = 0; i < 4; ++i) {
        // A served request proves the connection holds a slot. Connections of
        // the height polling above are released asynchronously, so a slot may
        // still be taken for a moment: retry until one is served.
        REQUIRE(node::test::eventually([&] {
            auto c = std::make_unique<node::test::TestHttpConnection>(net.port);
            if (!c->connected()) return false;
            auto r = c->request("GET", "/v1/status");
            if (!r || r->status != 200) return false;
            held.push_back(std::move(c));
            return true;
        }));
    }
    int rejected = 0;
    for (int i = 0; i < 20; ++i) {
        auto r = httpRequest(net.port, "GET", "/v1/status");
        if (r && r->status == 429) {
            REQUIRE(r->json()["code"] == "too_many_connections");
            ++rejected;
        }
    }
    REQUIRE(rejected == 20);
    held.clear();
    REQUIRE(node::test::eventually([&] {
        auto r = httpRequest(net.port, "GET", "/v1/status");
        return r && r->status == 200;
    }));
}

TEST_CASE("headless Chromium renders the explorer with blocks, a provider, a job with a bid and a lease",
          "[gateway][process][browser]") {
    GatewayNode net;
    INFO(net.log());
    REQUIRE(net.waitHeight(1));
    net.runLifecycle();
    const std::string url = "http://127.0.0.1:" + std::to_string(net.port) + "/";
    auto page = net.get("/");
    REQUIRE(page);
    REQUIRE(page->status == 200);
    REQUIRE(page->header("content-type").rfind("text/html", 0) == 0);

    const std::string profile = net.path("chromium-profile");
    const std::string dom = net.path("dom.html");
    // The page marks <body data-ready="1"> once every table is loaded; the
    // virtual time budget lets the browser run until its work is done.
    const std::vector<std::string> common = {
        "/usr/bin/chromium",          "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + profile,
        "--virtual-time-budget=15000"};
    auto args = common;
    args.push_back("--dump-dom");
    args.push_back(url);
    agora::test::ChildProcess chromium(args, dom);
    REQUIRE(chromium.waitExit(120s) == 0);
    std::ifstream in(dom);
    const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    INFO(html);
    REQUIRE(html.find("data-ready=\"1\"") != std::string::npos);
    REQUIRE(html.find("class=\"block\"") != std::string::npos);
    REQUIRE(html.find("class=\"provider\" data-address=\"" + addr(kProvider).toBech32() + "\"") != std::string::npos);
    REQUIRE(html.find("class=\"job\" data-job=\"2\" data-bids=\"1\"") != std::string::npos);
    REQUIRE(html.find("class=\"lease\" data-lease=\"1\"") != std::string::npos);
    REQUIRE(html.find("class=\"validator\"") != std::string::npos);

    const std::string shot = net.path("explorer.png");
    args = common;
    args.push_back("--screenshot=" + shot);
    args.push_back("--window-size=1280,1600");
    args.push_back(url);
    agora::test::ChildProcess shooter(args, net.path("screenshot.log"));
    REQUIRE(shooter.waitExit(120s) == 0);
    REQUIRE(std::filesystem::exists(shot));
    REQUIRE(std::filesystem::file_size(shot) > 1000);
}
