// The HTTP server over real loopback sockets: routing, limits, CORS, errors,
// static content, keep-alive, timeouts, metrics and shutdown.
#include <unistd.h>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "node/http/HttpServer.h"
#include "node/http/HttpServerMetrics.h"
#include "node/http/TestHttpClient.h"

using namespace agora::node;
using namespace agora::node::test;
using nlohmann::json;

namespace {

HttpServerOptions testOptions() {
    HttpServerOptions o;
    o.address = "127.0.0.1:0";
    o.threads = 2;
    return o;
}

// Echoes what the handler saw, so tests check routing and decoding end to end.
HttpResponse echo(const std::string& name, const HttpRequest& r) {
    json q = json::array();
    for (const auto& [k, v] : r.query.items()) q.push_back({k, v});
    return HttpResponse::json(
        200, {{"route", name}, {"params", r.params}, {"query", q}, {"body", r.body}, {"method", r.method}});
}

struct Fixture {
    explicit Fixture(HttpServerOptions o = testOptions()) {
        router.add("GET", "/v1/jobs/{id}", [](const HttpRequest& r) { return echo("job", r); });
        router.add("GET", "/v1/jobs/open", [](const HttpRequest& r) { return echo("open", r); });
        router.add("GET", "/v1/jobs/{id}/bids", [](const HttpRequest& r) { return echo("bids", r); });
        router.add("POST", "/v1/txs", [](const HttpRequest& r) { return echo("post-txs", r); });
        router.add("GET", "/v1/txs", [](const HttpRequest& r) { return echo("get-txs", r); });
        router.add("GET", "/boom", [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("kaboom"); });
        router.addStatic("/", "<html>explorer</html>", "text/html; charset=utf-8");
        addMetricsRoute(router, registry);
        server = std::make_unique<HttpServer>(std::move(o), router, nullptr, &registry);
        auto p = server->start();
        REQUIRE(p.hasValue());
        port = *p;
    }
    MetricsRegistry registry;
    Router router;
    std::unique_ptr<HttpServer> server;
    std::uint16_t port = 0;
};

}  // namespace

TEST_CASE("HTTP server routes by method and path with decoded params and repeated query keys", "[http]") {
    Fixture f;
    REQUIRE(f.port != 0);

    auto r = httpRequest(f.port, "GET", "/v1/jobs/j%2F42/bids?attr=gpu%3Da100&attr=region+eu&limit=5");
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->header("content-type") == "application/json");
    const json j = r->json();
    CHECK(j["route"] == "bids");
    CHECK(j["params"]["id"] == "j/42");  // an escaped '/' stays inside its segment
    CHECK(j["query"] == json::array({{"attr", "gpu=a100"}, {"attr", "region eu"}, {"limit", "5"}}));

    // A literal segment beats a parameter at the same position.
    r = httpRequest(f.port, "GET", "/v1/jobs/open");
    REQUIRE(r);
    CHECK(r->json()["route"] == "open");
    r = httpRequest(f.port, "GET", "/v1/jobs/7");
    REQUIRE(r);
    CHECK(r->json()["route"] == "job");
    CHECK(r->json()["params"]["id"] == "7");

    // Same path, method picks the handler; the body reaches it.
    r = httpRequest(f.port, "POST", "/v1/txs", R"({"tx":"00"})", {{"Content-Type", "application/json"}});
    REQUIRE(r);
    CHECK(r->json()["route"] == "post-txs");
    CHECK(r->json()["body"] == R"({"tx":"00"})");
    r = httpRequest(f.port, "GET", "/v1/txs");
    REQUIRE(r);
    CHECK(r->json()["route"] == "get-txs");
}

TEST_CASE("unknown paths are 404 and wrong methods 405 with an Allow header, both as JSON errors", "[http]") {
    Fixture f;
    auto r = httpRequest(f.port, "GET", "/v1/nothing/here");
    REQUIRE(r);
    CHECK(r->status == 404);
    CHECK(r->json()["code"] == "not_found");
    CHECK(r->json()["message"].is_string());

    r = httpRequest(f.port, "DELETE", "/v1/txs");
    REQUIRE(r);
    CHECK(r->status == 405);
    CHECK(r->json()["code"] == "method_not_allowed");
    CHECK(r->header("allow") == "GET, POST");

    // An empty parameter segment does not match {id}.
    r = httpRequest(f.port, "GET", "/v1/jobs//bids");
    REQUIRE(r);
    CHECK(r->status == 404);

    // Malformed escapes are the client's error.
    r = httpRequest(f.port, "GET", "/v1/jobs/7?attr=%zz");
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(r->json()["code"] == "bad_request");
    r = httpRequest(f.port, "GET", "/v1/jobs/%4");
    REQUIRE(r);
    CHECK(r->status == 400);
}

TEST_CASE("a body over max_body_bytes is answered 413 with a JSON error, one at the limit is served", "[http]") {
    auto o = testOptions();
    o.maxBodyBytes = 1000;
    Fixture f(o);
    auto r = httpRequest(f.port, "POST", "/v1/txs", std::string(1000, 'a'));
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->json()["body"].get<std::string>().size() == 1000);

    r = httpRequest(f.port, "POST", "/v1/txs", std::string(1001, 'a'));
    REQUIRE(r);
    CHECK(r->status == 413);
    CHECK(r->json()["code"] == "body_too_large");
    CHECK(r->header("connection") == "close");

    // Declared too large up front: answered without waiting for the body.
    TestHttpConnection c(f.port);
    REQUIRE(c.sendRaw("POST /v1/txs HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\n"));
    auto early = c.readResponse();
    REQUIRE(early);
    CHECK(early->status == 413);

    // The server still serves.
    r = httpRequest(f.port, "GET", "/v1/jobs/1");
    REQUIRE(r);
    CHECK(r->status == 200);
}

TEST_CASE("connections over max_connections get 429 and a freed slot admits a new client", "[http]") {
    auto o = testOptions();
    o.maxConnections = 2;
    Fixture f(o);
    auto a = std::make_unique<TestHttpConnection>(f.port);
    TestHttpConnection b(f.port);
    // A served request proves each connection holds a slot.
    auto ra = a->request("GET", "/v1/jobs/1");
    auto rb = b.request("GET", "/v1/jobs/2");
    REQUIRE(ra);
    REQUIRE(rb);
    CHECK(ra->status == 200);
    CHECK(rb->status == 200);
    CHECK(f.server->openConnections() == 2);

    TestHttpConnection extra(f.port);
    auto rx = extra.request("GET", "/v1/jobs/3");
    REQUIRE(rx);
    CHECK(rx->status == 429);
    CHECK(rx->json()["code"] == "too_many_connections");
    CHECK(extra.waitClosedByServer());

    // Existing keep-alive connections are unaffected.
    rb = b.request("GET", "/v1/jobs/4");
    REQUIRE(rb);
    CHECK(rb->status == 200);

    a.reset();
    REQUIRE(eventually([&] { return f.server->openConnections() == 1; }));
    auto rc = httpRequest(f.port, "GET", "/v1/jobs/5");
    REQUIRE(rc);
    CHECK(rc->status == 200);
    CHECK(f.registry.render().find("agora_http_rejected_connections_total{reason=\"max_connections\"} 1") !=
          std::string::npos);
}

TEST_CASE("CORS headers are sent only for allowed origins and preflight is answered when CORS is on", "[http]") {
    SECTION("CORS on") {
        auto o = testOptions();
        o.corsAllowedOrigins = {"https://explorer.example"};
        Fixture f(o);
        auto r = httpRequest(f.port, "GET", "/v1/jobs/1", "", {{"Origin", "https://explorer.example"}});
        REQUIRE(r);
        CHECK(r->header("access-control-allow-origin") == "https://explorer.example");
        CHECK(r->header("vary") == "Origin");

        r = httpRequest(f.port, "GET", "/v1/jobs/1", "", {{"Origin", "https://evil.example"}});
        REQUIRE(r);
        CHECK(r->status == 200);
        CHECK_FALSE(r->hasHeader("access-control-allow-origin"));

        r = httpRequest(f.port, "OPTIONS", "/v1/txs", "",
                        {{"Origin", "https://explorer.example"},
                         {"Access-Control-Request-Method", "POST"},
                         {"Access-Control-Request-Headers", "content-type"}});
        REQUIRE(r);
        CHECK(r->status == 204);
        CHECK(r->header("access-control-allow-origin") == "https://explorer.example");
        CHECK(r->header("access-control-allow-methods") == "GET, POST, OPTIONS");
        CHECK(r->header("access-control-allow-headers") == "content-type");

        r = httpRequest(f.port, "OPTIONS", "/v1/txs", "",
                        {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "POST"}});
        REQUIRE(r);
        CHECK_FALSE(r->hasHeader("access-control-allow-origin"));
    }
    SECTION("CORS off") {
        Fixture f;
        auto r = httpRequest(f.port, "GET", "/v1/jobs/1", "", {{"Origin", "https://explorer.example"}});
        REQUIRE(r);
        CHECK(r->status == 200);
        CHECK_FALSE(r->hasHeader("access-control-allow-origin"));
        CHECK_FALSE(r->hasHeader("vary"));
        r = httpRequest(f.port, "OPTIONS", "/v1/txs", "",
                        {{"Origin", "https://explorer.example"}, {"Access-Control-Request-Method", "POST"}});
        REQUIRE(r);
        CHECK(r->status == 405);
        CHECK_FALSE(r->hasHeader("access-control-allow-origin"));
    }
}

TEST_CASE("a throwing handler yields a JSON 500 and the server keeps serving", "[http]") {
    Fixture f;
    TestHttpConnection c(f.port);
    auto r = c.request("GET", "/boom");
    REQUIRE(r);
    CHECK(r->status == 500);
    CHECK(r->json() == json{{"code", "internal"}, {"message", "internal error"}});
    // Same connection, and new ones, still work.
    r = c.request("GET", "/v1/jobs/9");
    REQUIRE(r);
    CHECK(r->status == 200);
    r = httpRequest(f.port, "GET", "/v1/jobs/10");
    REQUIRE(r);
    CHECK(r->status == 200);
}

TEST_CASE("static content is served with its content type on GET only", "[http]") {
    Fixture f;
    auto r = httpRequest(f.port, "GET", "/");
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body == "<html>explorer</html>");
    CHECK(r->header("content-type") == "text/html; charset=utf-8");
    r = httpRequest(f.port, "POST", "/");
    REQUIRE(r);
    CHECK(r->status == 405);
}

TEST_CASE("keep-alive serves several requests on one connection and can be switched off", "[http]") {
    SECTION("on") {
        Fixture f;
        TestHttpConnection c(f.port);
        for (int i = 0; i < 5; ++i) {
            auto r = c.request("GET", "/v1/jobs/" + std::to_string(i));
            REQUIRE(r);
            CHECK(r->json()["params"]["id"] == std::to_string(i));
        }
        CHECK(f.server->openConnections() == 1);
    }
    SECTION("off") {
        auto o = testOptions();
        o.keepAlive = false;
        Fixture f(o);
        TestHttpConnection c(f.port);
        auto r = c.request("GET", "/v1/jobs/1");
        REQUIRE(r);
        CHECK(r->header("connection") == "close");
        CHECK(c.waitClosedByServer());
    }
}

TEST_CASE("a client that sends nothing, or half a request, is disconnected after the request timeout", "[http]") {
    auto o = testOptions();
    o.requestTimeoutMs = 200;
    Fixture f(o);
    TestHttpConnection idle(f.port);
    TestHttpConnection partial(f.port);
    REQUIRE(partial.sendRaw("GET /v1/jobs/1 HTTP/1.1\r\nHost: x\r\n"));
    CHECK(idle.waitClosedByServer(std::chrono::seconds(5)));
    CHECK(partial.waitClosedByServer(std::chrono::seconds(5)));
    REQUIRE(eventually([&] { return f.server->openConnections() == 0; }));
}

TEST_CASE("malformed requests get a JSON 400 and oversized headers 431", "[http]") {
    Fixture f;
    {
        TestHttpConnection c(f.port);
        REQUIRE(c.sendRaw("GET /v1/jobs/1 HTTP/1.1\r\nHost x\r\n\r\n"));
        auto r = c.readResponse();
        REQUIRE(r);
        CHECK(r->status == 400);
        CHECK(r->json()["code"] == "bad_request");
    }
    {
        TestHttpConnection c(f.port);
        auto r = c.request("GET", "/v1/jobs/1", "", {{"X-Big", std::string(20000, 'x')}});
        REQUIRE(r);
        CHECK(r->status == 431);
        CHECK(r->json()["code"] == "header_too_large");
    }
}

TEST_CASE("server metrics count requests by route and status and track open connections", "[http][metrics]") {
    Fixture f;
    REQUIRE(httpRequest(f.port, "GET", "/v1/jobs/1"));
    REQUIRE(httpRequest(f.port, "GET", "/v1/jobs/2"));
    REQUIRE(httpRequest(f.port, "GET", "/missing"));
    REQUIRE(httpRequest(f.port, "DELETE", "/v1/txs"));
    TestHttpConnection held(f.port);
    REQUIRE(held.request("GET", "/v1/jobs/3"));  // held now owns a slot
    // The closed clients' sessions end asynchronously.
    REQUIRE(eventually([&] { return f.server->openConnections() == 1; }));
    auto r = held.request("GET", "/metrics");
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->header("content-type") == "text/plain; version=0.0.4; charset=utf-8");
    const std::string& text = r->body;
    CHECK(text.find("agora_http_requests_total{route=\"/v1/jobs/{id}\",method=\"GET\",code=\"200\"} 3\n") !=
          std::string::npos);
    CHECK(text.find("agora_http_requests_total{route=\"unmatched\",method=\"GET\",code=\"404\"} 1\n") !=
          std::string::npos);
    CHECK(text.find("agora_http_requests_total{route=\"/v1/txs\",method=\"DELETE\",code=\"405\"} 1\n") !=
          std::string::npos);
    CHECK(text.find("agora_http_open_connections 1\n") != std::string::npos);
    CHECK(text.find("agora_http_request_duration_seconds_count{route=\"/v1/jobs/{id}\"} 3\n") != std::string::npos);
    CHECK(text.find("# TYPE agora_http_request_duration_seconds histogram\n") != std::string::npos);

    // The whole exposition through the reference parser, when it is installed.
    if (std::system("/usr/bin/python3 -c 'import prometheus_client' 2>/dev/null") != 0) {
        WARN("python3-prometheus-client is not installed: /metrics not checked with its parser");
        return;
    }
    const std::string path =
        (std::filesystem::temp_directory_path() / ("agora-http-metrics-" + std::to_string(::getpid()))).string();
    std::ofstream(path) << text;
    const std::string cmd =
        "/usr/bin/python3 -c 'import sys\n"
        "from prometheus_client.parser import text_string_to_metric_families as p\n"
        "names = {f.name for f in p(open(sys.argv[1]).read())}\n"
        "assert \"agora_http_request_duration_seconds\" in names, names\n"
        "assert \"agora_http_open_connections\" in names, names' " +
        path;
    const int rc = std::system(cmd.c_str());
    std::remove(path.c_str());
    CHECK(rc == 0);
}

TEST_CASE("stop closes open connections and joins, and a taken port is a start error", "[http]") {
    Fixture f;
    TestHttpConnection c(f.port);
    REQUIRE(c.request("GET", "/v1/jobs/1"));

    Router r2;
    HttpServerOptions o = testOptions();
    o.address = "127.0.0.1:" + std::to_string(f.port);
    HttpServer second(o, r2);
    auto p = second.start();
    REQUIRE_FALSE(p.hasValue());
    CHECK(p.error().find("cannot listen") != std::string::npos);

    f.server->stop();
    CHECK(c.waitClosedByServer());
    CHECK(f.server->openConnections() == 0);
    TestHttpConnection after(f.port);
    CHECK_FALSE(after.connected());
    f.server->stop();  // idempotent

    o.address = "nonsense";
    HttpServer bad(o, r2);
    CHECK_FALSE(bad.start().hasValue());
}

TEST_CASE("the listen address follows the node's one host:port rule set", "[http]") {
    REQUIRE(splitHostPort("127.0.0.1:8080").value() == std::pair<std::string, std::uint16_t>{"127.0.0.1", 8080});
    REQUIRE(splitHostPort("[::1]:0").value() == std::pair<std::string, std::uint16_t>{"::1", 0});
    REQUIRE(splitHostPort("localhost:65535").value() == std::pair<std::string, std::uint16_t>{"localhost", 65535});
    // What PeerAddress refuses, the HTTP server refuses too (it accepted some of these before).
    for (const std::string bad : {"127.0.0.1", "127.0.0.1:", ":8080", "127.0.0.1:65536", "host name:80", "::1:80",
                                  "127.0.0.1:+80", "[::1:80"}) {
        INFO(bad);
        const auto r = splitHostPort(bad);
        REQUIRE(!r);
        REQUIRE(!r.error().empty());
    }
}
