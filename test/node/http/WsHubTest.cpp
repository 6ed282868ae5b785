// WebSocket event subscriptions over real loopback sockets: filters,
// unsubscribe, errors, slow consumers, resume from a height, pings, stop.
#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <mutex>

#include "node/http/HttpServer.h"
#include "node/http/HttpServerMetrics.h"
#include "node/http/TestHttpClient.h"

using namespace agora::node;
using namespace agora::node::test;
using nlohmann::json;

namespace {

WsEvent event(const std::string& type, std::uint64_t height, std::map<std::string, std::string> attrs,
              json data = json::object()) {
    WsEvent e;
    e.type = type;
    e.height = height;
    e.attributes = std::move(attrs);
    e.data = std::move(data);
    return e;
}

// What the node will be: events stored (visible to replay) before they are published.
class EventLog {
public:
    explicit EventLog(WsHub& hub) : hub_(hub) {
        hub_.setReplay(
            [this](std::uint64_t from, const WsEventFilter& filter) -> agora::Expected<ReplayResult, std::string> {
                std::lock_guard lock(mu_);
                ReplayResult r;
                for (const auto& e : log_) {
                    if (e.height >= from && filter.matches(e)) r.events.push_back(e);
                }
                r.throughHeight = height_;
                return r;
            });
    }
    // Commits one height with its events, then publishes them.
    std::uint64_t commit(std::vector<WsEvent> events) {
        std::uint64_t h = 0;
        {
            std::lock_guard lock(mu_);
            h = ++height_;
            for (auto& e : events) {
                e.height = h;
                log_.push_back(e);
            }
        }
        for (auto& e : events) hub_.publish(std::move(e));
        return h;
    }

private:
    WsHub& hub_;
    std::mutex mu_;
    std::vector<WsEvent> log_;
    std::uint64_t height_ = 0;
};

struct WsFixture {
    explicit WsFixture(HttpServerOptions o = defaults()) {
        addMetricsRoute(router, registry);
        server = std::make_unique<HttpServer>(std::move(o), router, &hub, &registry);
        auto p = server->start();
        REQUIRE(p.hasValue());
        port = *p;
    }
    static HttpServerOptions defaults() {
        HttpServerOptions o;
        o.address = "127.0.0.1:0";
        o.threads = 2;
        return o;
    }
    bool waitClients(std::size_t n) {
        return eventually([&] { return hub.clientCount() == n; });
    }
    WsHub hub;
    MetricsRegistry registry;
    Router router;
    std::unique_ptr<HttpServer> server;
    std::uint16_t port = 0;
};

bool acked(TestWsClient& c, const std::string& type, const std::string& id) {
    return c.waitFor([&](const auto& m) { return TestWsClient::hasType(m, type, id); });
}

}  // namespace

TEST_CASE("a filtered WebSocket subscription receives exactly the matching events in order", "[http][ws]") {
    WsFixture f;
    TestWsClient c(f.port, "/v1/events");
    REQUIRE(c.open());
    REQUIRE(f.waitClients(1));
    REQUIRE(c.send({{"op", "subscribe"},
                    {"id", "leases"},
                    {"filter", {{"types", {"lease.created", "lease.closed"}}, {"attributes", {{"provider", "p1"}}}}}}));
    REQUIRE(acked(c, "subscribed", "leases"));
    REQUIRE(c.send({{"op", "subscribe"}, {"id", "all"}}));
    REQUIRE(acked(c, "subscribed", "all"));

    std::vector<WsEvent> published = {
        event("lease.created", 1, {{"provider", "p1"}, {"lease", "1"}}, {{"escrow", "100"}}),
        event("lease.created", 1, {{"provider", "p2"}, {"lease", "2"}}),
        event("job.created", 2, {{"provider", "p1"}}),
        event("lease.closed", 3, {{"provider", "p1"}, {"lease", "1"}}),
        event("lease.created", 3, {{"lease", "3"}}),
        event("lease.created", 4, {{"provider", "p1"}, {"lease", "4"}}),
    };
    for (const auto& e : published) f.hub.publish(e);

    REQUIRE(c.waitFor([](const auto& m) {
        return TestWsClient::eventsOf(m, "all").size() == 6 && TestWsClient::eventsOf(m, "leases").size() >= 3;
    }));
    const auto got = c.events("leases");
    REQUIRE(got.size() == 3);
    CHECK(got[0] == published[0].toJson());
    CHECK(got[0]["data"]["escrow"] == "100");
    CHECK(got[1] == published[3].toJson());
    CHECK(got[2] == published[5].toJson());
    const auto all = c.events("all");
    for (std::size_t i = 0; i < all.size(); ++i) CHECK(all[i] == published[i].toJson());
    CHECK(f.registry.render().find("agora_ws_clients 1\n") != std::string::npos);
}

TEST_CASE("unsubscribe is acknowledged and stops delivery for that subscription only", "[http][ws]") {
    WsFixture f;
    TestWsClient c(f.port, "/v1/events");
    REQUIRE(c.open());
    REQUIRE(c.send({{"op", "subscribe"}, {"id", "a"}, {"filter", {{"types", {"x"}}}}}));
    REQUIRE(c.send({{"op", "subscribe"}, {"id", "b"}, {"filter", {{"types", {"x"}}}}}));
    REQUIRE(acked(c, "subscribed", "b"));
    f.hub.publish(event("x", 1, {}));
    REQUIRE(c.waitFor([](const auto& m) { return TestWsClient::eventsOf(m, "b").size() == 1; }));
    REQUIRE(c.send({{"op", "unsubscribe"}, {"id", "a"}}));
    REQUIRE(acked(c, "unsubscribed", "a"));
    f.hub.publish(event("x", 2, {}));
    f.hub.publish(event("x", 3, {}));
    // "b" getting both later events proves they were processed for "a" too.
    REQUIRE(c.waitFor([](const auto& m) { return TestWsClient::eventsOf(m, "b").size() == 3; }));
    const auto a = c.events("a");
    REQUIRE(a.size() == 1);
    CHECK(a[0]["height"] == 1);

    REQUIRE(c.send({{"op", "unsubscribe"}, {"id", "a"}}));
    REQUIRE(c.waitFor([](const auto& m) {
        for (const auto& x : m) {
            if (x.value("type", "") == "error" && x.value("code", "") == "unknown_subscription") return true;
        }
        return false;
    }));
}

TEST_CASE("malformed WebSocket messages get JSON errors and the session stays usable", "[http][ws]") {
    WsFixture f;
    TestWsClient c(f.port, "/v1/events");
    REQUIRE(c.open());
    auto hasError = [&](const std::string& code) {
        return c.waitFor([&](const auto& m) {
            for (const auto& x : m) {
                if (x.value("type", "") == "error" && x.value("code", "") == code) return true;
            }
            return false;
        });
    };
    REQUIRE(c.send("not an object"));
    CHECK(hasError("bad_message"));
    REQUIRE(c.send({{"op", "dance"}}));
    CHECK(hasError("unknown_op"));
    REQUIRE(c.send({{"op", "subscribe"}, {"id", "f"}, {"filter", {{"types", "x"}}}}));
    CHECK(hasError("bad_filter"));
    REQUIRE(c.send({{"op", "subscribe"}, {"id", "g"}, {"from_height", 1}}));
    CHECK(hasError("replay_unavailable"));  // no replay callback set
    REQUIRE(c.send({{"op", "subscribe"}, {"id", "ok"}}));
    REQUIRE(acked(c, "subscribed", "ok"));
    REQUIRE(c.send({{"op", "subscribe"}, {"id", "ok"}}));
    CHECK(hasError("duplicate_subscription"));
    f.hub.publish(event("x", 1, {}));
    CHECK(c.waitFor([](const auto& m) { return TestWsClient::eventsOf(m, "ok").size() == 1; }));
}

TEST_CASE("a slow consumer is closed with 'slow consumer' while a fast client keeps receiving", "[http][ws]") {
    auto o = WsFixture::defaults();
    o.wsQueueMax = 4;
    o.wsCloseTimeoutMs = 20'000;  // long enough for the slow client to read its way to the close frame
    WsFixture f(o);
    TestWsClient fast(f.port, "/v1/events");
    TestWsClient slow(f.port, "/v1/events", false, 4096);  // never reads until told
    REQUIRE(fast.open());
    REQUIRE(slow.open());
    REQUIRE(fast.send({{"op", "subscribe"}, {"id", "s"}}));
    REQUIRE(slow.send({{"op", "subscribe"}, {"id", "s"}}));
    REQUIRE(acked(fast, "subscribed", "s"));
    REQUIRE(f.waitClients(2));

    // Paced by the fast client, so only the slow one can fall behind; the
    // socket buffers in between fill first, then its queue of 4 overflows.
    const std::string payload(16 * 1024, 'z');
    std::size_t n = 0;
    while (f.hub.slowConsumerDisconnects() == 0) {
        REQUIRE(n < 20'000);
        f.hub.publish(event("blob", ++n, {}, {{"payload", payload}}));
        REQUIRE(fast.waitFor([n](const auto& m) { return TestWsClient::eventsOf(m, "s").size() == n; }));
    }
    CHECK(f.waitClients(1));
    // The fast client is unaffected and keeps receiving.
    for (int i = 0; i < 10; ++i) {
        f.hub.publish(event("blob", ++n, {}, {{"n", i}}));
        REQUIRE(fast.waitFor([n](const auto& m) { return TestWsClient::eventsOf(m, "s").size() == n; }));
    }
    const auto got = fast.events("s");
    for (std::size_t i = 0; i < got.size(); ++i) REQUIRE(got[i]["height"] == i + 1);

    // The slow client, reading at last, finds a close frame with the reason.
    slow.startReading();
    REQUIRE(slow.waitClosed());
    CHECK(slow.closeError() == websocket::error::closed);
    CHECK(slow.closeReason().code == websocket::close_code::policy_error);
    CHECK(slow.closeReason().reason == "slow consumer");
    CHECK(TestWsClient::eventsOf(slow.messages(), "s").size() < n);
    CHECK(f.registry.render().find("agora_ws_slow_consumer_disconnects_total 1\n") != std::string::npos);
}

TEST_CASE("resuming from a height replays stored events then live ones without gaps or duplicates", "[http][ws]") {
    WsFixture f;
    EventLog log(f.hub);
    for (int h = 0; h < 20; ++h) {
        log.commit({event("block", 0, {}), event("lease.created", 0, {{"provider", h % 2 == 0 ? "p1" : "p2"}})});
    }
    TestWsClient c(f.port, "/v1/events");
    REQUIRE(c.open());
    REQUIRE(f.waitClients(1));

    // A committer adds heights 21..80 while the client subscribes (bounded,
    // so the client's queue of 1024 cannot overflow).
    std::thread committer([&] {
        for (int i = 0; i < 60; ++i) {
            log.commit({event("block", 0, {}), event("lease.created", 0, {{"provider", "p1"}})});
            std::this_thread::yield();
        }
    });
    REQUIRE(c.send({{"op", "subscribe"}, {"id", "blocks"}, {"filter", {{"types", {"block"}}}}, {"from_height", 5}}));
    REQUIRE(c.send({{"op", "subscribe"},
                    {"id", "p1"},
                    {"filter", {{"types", {"lease.created"}}, {"attributes", {{"provider", "p1"}}}}},
                    {"from_height", 10}}));
    REQUIRE(acked(c, "subscribed", "p1"));
    committer.join();
    const std::uint64_t last = log.commit({event("block", 0, {}), event("lease.created", 0, {{"provider", "p1"}})});
    const auto msgs = c.messages();
    for (const auto& m : msgs) {
        if (m.value("type", "") == "subscribed" && m["id"] == "blocks") {
            CHECK(m["from_height"] == 5);
            CHECK(m["through_height"].get<std::uint64_t>() >= 20);
            CHECK(m["replayed"].get<std::uint64_t>() == m["through_height"].get<std::uint64_t>() - 4);
        }
    }
    REQUIRE(c.waitFor([&](const auto& m) {
        const auto b = TestWsClient::eventsOf(m, "blocks");
        const auto p = TestWsClient::eventsOf(m, "p1");
        return !b.empty() && b.back()["height"] == last && !p.empty() && p.back()["height"] == last;
    }));

    // Every height from 5 exactly once, in order.
    const auto blocks = c.events("blocks");
    REQUIRE(blocks.size() == last - 4);
    for (std::size_t i = 0; i < blocks.size(); ++i) REQUIRE(blocks[i]["height"] == 5 + i);
    // p1 leases: the even heights < 20 (h index 0,2,.. commit as heights 1,3,..) from 10, then every height after 20.
    std::vector<std::uint64_t> expected;
    for (std::uint64_t h = 10; h <= last; ++h) {
        if (h > 20 || h % 2 == 1) expected.push_back(h);
    }
    const auto p1 = c.events("p1");
    REQUIRE(p1.size() == expected.size());
    for (std::size_t i = 0; i < p1.size(); ++i) REQUIRE(p1[i]["height"] == expected[i]);
}

TEST_CASE("the server pings idle WebSocket clients and a pong keeps them connected", "[http][ws]") {
    auto o = WsFixture::defaults();
    o.wsIdleTimeoutMs = 1000;  // a ping after 500 ms of silence
    WsFixture f(o);
    TestWsClient c(f.port, "/v1/events");
    REQUIRE(c.open());
    // Three pings means the client outlived two idle periods by answering them.
    CHECK(c.waitPings(3));
    CHECK(f.hub.clientCount() == 1);
    REQUIRE(c.send({{"op", "subscribe"}, {"id", "s"}}));
    CHECK(acked(c, "subscribed", "s"));
}

TEST_CASE("WebSocket clients count against max_connections and stop closes them with going_away", "[http][ws]") {
    auto o = WsFixture::defaults();
    o.maxConnections = 1;
    WsFixture f(o);
    TestWsClient c(f.port, "/v1/events");
    REQUIRE(c.open());
    REQUIRE(f.waitClients(1));
    TestWsClient refused(f.port, "/v1/events");
    CHECK_FALSE(refused.open());  // the upgrade got a 429 instead of 101

    f.server->stop();
    REQUIRE(c.waitClosed());
    CHECK(c.closeReason().code == websocket::close_code::going_away);
    CHECK(f.hub.clientCount() == 0);
    f.hub.publish(event("x", 1, {}));  // no clients, no crash
}
