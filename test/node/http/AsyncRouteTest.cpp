// Asynchronous routes (Router::addAsync): the answer comes later from another
// thread, a timeout answers instead, the first answer wins, and a stopping
// server drops pending replies without touching a dead I/O context.
#include <catch2/catch.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "node/http/HttpServer.h"
#include "node/http/TestHttpClient.h"

using namespace agora::node;
using namespace agora::node::test;
using nlohmann::json;

namespace {

// Replies parked by the handler until the test answers them.
struct Parking {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::shared_ptr<HttpAsyncReply>> replies;

    void park(std::shared_ptr<HttpAsyncReply> r) {
        std::lock_guard lock(mu);
        replies.push_back(std::move(r));
        cv.notify_all();
    }
    std::shared_ptr<HttpAsyncReply> take() {
        std::unique_lock lock(mu);
        if (!cv.wait_for(lock, kDeadline, [&] { return !replies.empty(); })) return nullptr;
        auto r = replies.front();
        replies.erase(replies.begin());
        return r;
    }
};

struct AsyncFixture {
    AsyncFixture() {
        router.addAsync("POST", "/wait", [this](const HttpRequest& r, std::shared_ptr<HttpAsyncReply> reply) {
            if (r.query.has("timeout")) {
                reply->setTimeout(std::chrono::milliseconds(50),
                                  [] { return HttpResponse::error(504, json("commit_timeout"), "too slow"); });
            }
            parking.park(std::move(reply));
        });
        router.add("GET", "/sync", [](const HttpRequest&) { return HttpResponse::json(200, {{"ok", true}}); });
        HttpServerOptions o;
        o.address = "127.0.0.1:0";
        o.corsAllowedOrigins = {"http://ui.example"};
        server = std::make_unique<HttpServer>(o, router);
        auto p = server->start();
        REQUIRE(p.hasValue());
        port = *p;
    }
    Parking parking;
    Router router;
    std::unique_ptr<HttpServer> server;
    std::uint16_t port = 0;
};

}  // namespace

TEST_CASE("an async route answers from another thread, keeps the connection and adds CORS headers", "[http]") {
    AsyncFixture f;
    TestHttpConnection c(f.port);
    REQUIRE(c.connected());
    std::optional<TestResponse> resp;
    std::thread client([&] { resp = c.request("POST", "/wait", "{}", {{"Origin", "http://ui.example"}}); });
    auto reply = f.parking.take();
    REQUIRE(reply);
    std::thread([reply] { reply->send(HttpResponse::json(200, {{"answer", 42}})); }).join();
    reply->send(HttpResponse::json(500, {{"late", true}}));  // ignored: the first answer won
    client.join();
    REQUIRE(resp);
    REQUIRE(resp->status == 200);
    REQUIRE(resp->json()["answer"] == 42);
    REQUIRE(resp->header("access-control-allow-origin") == "http://ui.example");
    // Keep-alive: the same connection serves the next request.
    auto next = c.request("GET", "/sync");
    REQUIRE(next);
    REQUIRE(next->status == 200);
}

TEST_CASE("an async route without an answer is answered by its timeout, and a late send is ignored", "[http]") {
    AsyncFixture f;
    TestHttpConnection c(f.port);
    REQUIRE(c.connected());
    std::optional<TestResponse> resp;
    std::thread client([&] { resp = c.request("POST", "/wait?timeout=1", "{}"); });
    auto reply = f.parking.take();
    REQUIRE(reply);
    client.join();
    REQUIRE(resp);
    REQUIRE(resp->status == 504);
    REQUIRE(resp->json()["code"] == "commit_timeout");
    reply->send(HttpResponse::json(200, {{"late", true}}));
    auto next = c.request("GET", "/sync");
    REQUIRE(next);
    REQUIRE(next->status == 200);
}

TEST_CASE("stopping the server with a pending async reply closes the connection and later sends are no-ops", "[http]") {
    AsyncFixture f;
    TestHttpConnection c(f.port);
    REQUIRE(c.connected());
    std::optional<TestResponse> resp;
    std::thread client([&] { resp = c.request("POST", "/wait", "{}"); });
    auto reply = f.parking.take();
    REQUIRE(reply);
    // stop() abandons the pending reply (it lets go of its session) instead of waiting for it.
    const auto t0 = std::chrono::steady_clock::now();
    f.server->stop();
    REQUIRE(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(4));
    client.join();
    REQUIRE_FALSE(resp);
    reply->send(HttpResponse::json(200, {{"after", "stop"}}));
    reply.reset();
}
