// EventService.Subscribe, ProviderService.WatchJobs and ClientService.WatchBids
// over a real gRPC server on loopback, fed by real blocks committed by an
// Application on a temporary LevelDB (published to the EventBus as
// Node::onCommit does). Waits are on observable conditions, never sleeps.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "agora/events/v1/events.grpc.pb.h"
#include "agora/market/v1/market.grpc.pb.h"
#include "contracts/Market.h"
#include "node/app/Application.h"
#include "node/events/EventBus.h"
#include "node/rpc/EventServiceImpl.h"
#include "node/rpc/GrpcServer.h"
#include "node/rpc/JobStreams.h"
#include "node/rpc/StreamLimiter.h"
#include "support/TestKeys.h"
#include "support/TestNode.h"

using namespace agora;
using namespace agora::node;
namespace evpb = agora::events::v1;
namespace mkpb = agora::market::v1;
namespace typb = agora::types::v1;

namespace {

constexpr std::uint8_t kValidator = 10;
constexpr std::uint8_t kClient = 1;
constexpr std::uint8_t kOther = 2;
constexpr std::uint8_t kProvider = 4;
constexpr std::uint8_t kProvider2 = 5;

Address addr(std::uint8_t key) {
    return Address::fromPublicKey(test::testKey(key).publicKey);
}
std::string bech(std::uint8_t key) {
    return addr(key).toBech32();
}

GenesisDoc genesis() {
    GenesisDoc d;
    d.genesisTimeMs = 1'000;
    d.genesis.chainId = "events-test";
    d.genesis.params.minSelfStake = Amount(1'000'000);
    const auto val = test::testKey(kValidator);
    d.genesis.validators.push_back(
        {Address::fromPublicKey(val.publicKey), val.publicKey, "v0", 0, Amount(1'000'000'000'000ULL)});
    for (std::uint8_t k : {kClient, kOther, std::uint8_t{3}, kProvider, kProvider2})
        d.genesis.accounts.push_back({addr(k), Amount(10'000'000'000ULL)});
    return d;
}

template <class Pred>
void waitFor(Pred pred) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!pred()) {
        REQUIRE(std::chrono::steady_clock::now() < deadline);
        std::this_thread::yield();
    }
}

// A single-validator chain whose commits are published like Node::onCommit
// (through the after-commit step to the event bus).
struct Chain : test::TestNode {
    Chain() : TestNode(genesis(), {.name = "events", .eventBus = true}) {}
    CommitOutcome commit(std::vector<Bytes> txs) { return commitOk(txs); }
    Bytes send(std::uint8_t from, std::uint64_t amount) { return tx(from, {MsgSend{addr(9), Amount(amount)}}); }
};

struct Server {
    StreamLimiter limiter;
    EventServiceImpl events;
    JobStreams jobs;
    ProviderStreamsService providers{jobs};
    ClientStreamsService clients{jobs};
    GrpcServer server{GrpcServerOptions{"127.0.0.1:0", 1 << 20, 100}};
    std::shared_ptr<grpc::Channel> channel;

    Server(Chain& chain, std::size_t queueMax = 256, std::uint32_t maxStreams = 16)
        : limiter(maxStreams),
          events(chain.bus(), limiter, StreamOptions{queueMax}),
          jobs(
              chain.bus(), [&chain] { return chain.app().snapshot(); }, limiter, StreamOptions{queueMax}) {
        server.addService(&events);
        server.addService(&providers);
        server.addService(&clients);
        auto port = server.start();
        REQUIRE(port.hasValue());
        channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(*port), grpc::InsecureChannelCredentials());
    }
};

template <class Msg>
struct Stream {
    grpc::ClientContext ctx;
    std::unique_ptr<grpc::ClientReader<Msg>> reader;
    bool finished = false;
    Stream() { ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30)); }
    ~Stream() {
        if (reader && !finished) {
            ctx.TryCancel();
            finish();
        }
    }
    Msg read() {
        Msg m;
        REQUIRE(reader->Read(&m));
        return m;
    }
    grpc::Status finish() {
        Msg m;
        while (reader->Read(&m)) {
        }
        finished = true;
        return reader->Finish();
    }
};

std::unique_ptr<Stream<typb::Event>> subscribe(Server& s, const evpb::SubscribeRequest& req) {
    auto st = std::make_unique<Stream<typb::Event>>();
    st->reader = evpb::EventService::NewStub(s.channel)->Subscribe(&st->ctx, req);
    return st;
}

std::string attr(const typb::Event& e, const std::string& key) {
    for (const auto& a : e.attributes())
        if (a.key() == key) return a.value();
    return "<none>";
}

std::string raw(const Hash256& h) {
    return std::string(h.bytes().begin(), h.bytes().end());
}

MsgProviderRegister providerReg(std::vector<Attribute> attrs, std::uint64_t cpu, std::uint64_t mem) {
    MsgProviderRegister m;
    m.hostUri = "https://provider.example";
    m.attributes = std::move(attrs);
    m.capacity.cpuMillicores = cpu;
    m.capacity.memoryMib = mem;
    m.stake = Amount(1'000'000'000);
    return m;
}

MsgJobCreate job(std::vector<Attribute> constraints, std::uint64_t cpu, std::uint64_t mem) {
    MsgJobCreate m;
    m.resources.cpuMillicores = cpu;
    m.resources.memoryMib = mem;
    m.constraints = std::move(constraints);
    m.maxPricePerSecond = Amount(1'000);
    m.durationSeconds = 100;
    m.biddingWindowBlocks = 50;
    m.deposit = Amount(100'000);
    return m;
}

MsgBidPlace bid(std::uint64_t jobId, std::uint64_t price) {
    MsgBidPlace m;
    m.jobId = jobId;
    m.pricePerSecond = Amount(price);
    m.deposit = Amount(1'000'000);
    return m;
}

}  // namespace

TEST_CASE("Subscribe with a filter receives exactly the matching events of committed blocks, in order",
          "[rpc][events]") {
    Chain chain;
    Server server(chain);
    evpb::SubscribeRequest req;
    req.add_types("transfer");
    auto* f = req.add_attributes();
    f->set_key("from");
    f->set_value(bech(kClient));
    auto stream = subscribe(server, req);
    waitFor([&] { return chain.bus().subscriberCount() == 1; });

    const auto b1 = chain.commit({chain.send(kClient, 5), chain.send(kOther, 6), chain.send(kClient, 7)});
    chain.commit({chain.send(kOther, 8)});
    const auto b3 = chain.commit({chain.send(kOther, 9), chain.send(kClient, 10)});

    struct Want {
        std::uint64_t height;
        std::string txHash;
        std::string amount;
    };
    const std::vector<Want> want = {{b1.height, raw(b1.txHashes[0]), "5"},
                                    {b1.height, raw(b1.txHashes[2]), "7"},
                                    {b3.height, raw(b3.txHashes[1]), "10"}};
    for (const auto& w : want) {
        const auto e = stream->read();
        REQUIRE(e.type() == "transfer");
        REQUIRE(e.height() == w.height);
        REQUIRE(e.tx_hash() == w.txHash);
        REQUIRE(attr(e, "from") == bech(kClient));
        REQUIRE(attr(e, "amount") == w.amount);
        REQUIRE(e.msg_index() == 0);
    }
    stream->ctx.TryCancel();
    REQUIRE(stream->finish().error_code() == grpc::StatusCode::CANCELLED);
    waitFor([&] { return chain.bus().subscriberCount() == 0 && server.limiter.held("ipv4:127.0.0.1") == 0; });
}

TEST_CASE("Subscribe without a filter sees begin-block, tx and end-block events in block order", "[rpc][events]") {
    Chain chain;
    Server server(chain);
    auto stream = subscribe(server, evpb::SubscribeRequest{});
    waitFor([&] { return chain.bus().subscriberCount() == 1; });
    const auto b = chain.commit({chain.send(kClient, 5)});
    const auto all = blockEventsOf(b.height, b.txHashes, b.results);
    REQUIRE(all->events.size() >= 3);  // tx_fee, transfer, end-block rewards
    for (const auto& want : all->events) {
        const auto e = stream->read();
        REQUIRE(e.type() == want.event.type);
        REQUIRE(e.height() == b.height);
        REQUIRE(e.attributes_size() == static_cast<int>(want.event.attributes.size()));
        REQUIRE(e.tx_hash() == (want.phase == EventPhase::Tx ? raw(b.txHashes[0]) : std::string()));
    }
}

TEST_CASE("a resumed Subscribe replays stored events then live ones with no gap or duplicate", "[rpc][events]") {
    Chain chain;
    Server server(chain);
    for (int i = 0; i < 4; ++i) chain.commit({chain.send(kClient, 1)});  // heights 1..4
    evpb::SubscribeRequest req;
    req.add_types("transfer");
    // Several subscriptions from different heights, opened while blocks keep
    // committing, so the replay -> live handover races real commits.
    std::vector<std::pair<std::uint64_t, std::unique_ptr<Stream<typb::Event>>>> streams;
    for (std::uint64_t from : {2, 1, 4, 3, 5}) {
        req.set_from_height(from);
        streams.emplace_back(from, subscribe(server, req));
        chain.commit({chain.send(kClient, 1)});  // heights 5..9
    }
    chain.commit({chain.send(kClient, 1)});  // 10
    for (auto& [from, stream] : streams) {
        for (std::uint64_t h = from; h <= 10; ++h) {
            const auto e = stream->read();
            INFO("subscription from " << from);
            REQUIRE(e.height() == h);
        }
    }
    // And live after the handover: one more block reaches every stream next.
    waitFor([&] { return chain.bus().subscriberCount() == streams.size(); });
    chain.commit({chain.send(kClient, 1)});  // 11
    for (auto& [from, stream] : streams) REQUIRE(stream->read().height() == 11);
}

TEST_CASE("a slow subscriber with a tiny queue is dropped with RESOURCE_EXHAUSTED while a fast one keeps receiving",
          "[rpc][events]") {
    // A bus of its own fed synthetic blocks with large events, so a client
    // that does not read fills the transport's flow-control window quickly.
    class NoHistory final : public EventHistory {
    public:
        std::uint64_t baseHeight() const override { return 0; }
        std::uint64_t latestHeight() const override { return 0; }
        Expected<std::shared_ptr<const BlockEvents>, std::string> load(std::uint64_t) const override {
            return Unexpected(std::string("none"));
        }
    };
    EventBus bus(std::make_shared<NoHistory>(), 0);
    StreamLimiter limiter(16);
    EventServiceImpl slowService(bus, limiter, StreamOptions{2});
    EventServiceImpl fastService(bus, limiter, StreamOptions{1'000'000});
    GrpcServer slowServer{GrpcServerOptions{"127.0.0.1:0", 1 << 20, 100}};
    GrpcServer fastServer{GrpcServerOptions{"127.0.0.1:0", 1 << 20, 100}};
    slowServer.addService(&slowService);
    fastServer.addService(&fastService);
    const int slowPort = slowServer.start().value();
    const int fastPort = fastServer.start().value();
    auto stub = [](int port) {
        return evpb::EventService::NewStub(
            grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
    };
    auto slowStub = stub(slowPort);
    auto fastStub = stub(fastPort);
    Stream<typb::Event> slow, fast;
    slow.reader = slowStub->Subscribe(&slow.ctx, evpb::SubscribeRequest{});
    fast.reader = fastStub->Subscribe(&fast.ctx, evpb::SubscribeRequest{});
    waitFor([&] { return bus.subscriberCount() == 2; });

    std::atomic<std::uint64_t> fastLast{0};
    std::atomic<bool> fastInOrder{true};
    std::thread reader([&] {
        typb::Event e;
        while (fast.reader->Read(&e)) {
            if (e.height() != fastLast + 1) fastInOrder = false;
            fastLast = e.height();
        }
    });
    auto bigBlock = [](std::uint64_t h) {
        BlockResults r;
        state::Event big("blob");
        for (int i = 0; i < 32; ++i) big.add("k" + std::to_string(i), std::string(1000, 'x'));
        r.endEvents.push_back(big);
        return blockEventsOf(h, {}, r);
    };
    std::uint64_t h = 0;
    const auto started = std::chrono::steady_clock::now();
    while (bus.droppedCount() == 0) {
        REQUIRE(h < 20'000);
        bus.publish(bigBlock(++h));  // never waits for either consumer
    }
    const auto publishTime = std::chrono::steady_clock::now() - started;
    bus.publish(bigBlock(++h));  // after the drop the fast one still gets blocks
    REQUIRE(bus.subscriberCount() == 1);
    waitFor([&] { return fastLast == h; });
    REQUIRE(fastInOrder);
    const auto status = slow.finish();
    REQUIRE(status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
    REQUIRE(status.error_message().find("slow consumer") != std::string::npos);
    fast.ctx.TryCancel();
    reader.join();
    fast.finished = true;
    fast.reader->Finish();
    REQUIRE(publishTime < std::chrono::seconds(20));
}

TEST_CASE("WatchJobs shows open and new jobs the provider can serve, and no others", "[rpc][jobs]") {
    Chain chain;
    Server server(chain);
    // Provider: region=eu, tier=gold, 4000 millicores, 8192 MiB.
    chain.commit({chain.tx(kProvider, {providerReg({{"region", "eu"}, {"tier", "gold"}}, 4000, 8192)}),
                  chain.tx(kClient, {job({{"region", "eu"}}, 2000, 1024)}),    // job 1: serves
                  chain.tx(kClient, {job({{"region", "us"}}, 1000, 1024)})});  // job 2: wrong region
    mkpb::WatchJobsRequest req;
    req.set_provider(bech(kProvider));
    Stream<mkpb::JobNotice> watch;
    watch.reader = mkpb::ProviderService::NewStub(server.channel)->WatchJobs(&watch.ctx, req);
    auto first = watch.read();
    REQUIRE(first.job_id() == 1);
    REQUIRE(first.status() == "open");
    REQUIRE(first.client() == bech(kClient));
    auto decoded = decode<contracts::Job>(asBytes(first.job()));
    REQUIRE(decoded.hasValue());
    REQUIRE(decoded->resources.cpuMillicores == 2000);
    waitFor([&] { return chain.bus().subscriberCount() == 1; });

    const auto b2 =
        chain.commit({chain.tx(kClient, {job({}, 8000, 1024)}),                                 // 3: too big
                      chain.tx(kOther, {job({{"tier", "gold"}}, 1000, 512)}),                   // 4: serves
                      chain.tx(kProvider, {job({}, 100, 100)}),                                 // 5: its own
                      chain.tx(kClient, {job({{"region", "eu"}, {"zone", "a"}}, 100, 100)})});  // 6: no zone
    chain.commit({chain.tx(kClient, {job({}, 4000, 8192)})});  // 7: exactly the free capacity
    auto n4 = watch.read();
    REQUIRE(n4.job_id() == 4);
    REQUIRE(n4.height() == b2.height);
    REQUIRE(n4.client() == bech(kOther));
    REQUIRE(watch.read().job_id() == 7);

    // Resumed from height 1: the jobs created since then that it can serve.
    mkpb::WatchJobsRequest again;
    again.set_provider(bech(kProvider));
    again.set_from_height(1);
    Stream<mkpb::JobNotice> resumed;
    resumed.reader = mkpb::ProviderService::NewStub(server.channel)->WatchJobs(&resumed.ctx, again);
    std::vector<std::uint64_t> ids;
    for (int i = 0; i < 3; ++i) ids.push_back(resumed.read().job_id());
    REQUIRE(ids == std::vector<std::uint64_t>{1, 4, 7});
}

TEST_CASE("WatchBids shows the bids of one job only as they are placed, withdrawn and accepted", "[rpc][jobs]") {
    Chain chain;
    Server server(chain);
    chain.commit({chain.tx(kProvider, {providerReg({{"region", "eu"}}, 4000, 8192)}),
                  chain.tx(kProvider2, {providerReg({{"region", "eu"}}, 4000, 8192)}),
                  chain.tx(kClient, {job({}, 1000, 1024)}),    // job 1
                  chain.tx(kClient, {job({}, 1000, 1024)})});  // job 2
    chain.commit({chain.tx(kProvider, {bid(1, 900)})});        // bid 1 on job 1 (before watching)
    mkpb::WatchBidsRequest req;
    req.set_job_id(1);
    Stream<mkpb::BidNotice> watch;
    watch.reader = mkpb::ClientService::NewStub(server.channel)->WatchBids(&watch.ctx, req);
    auto existing = watch.read();
    REQUIRE(existing.bid_id() == 1);
    REQUIRE(existing.status() == "open");
    REQUIRE(existing.provider() == bech(kProvider));
    REQUIRE(existing.price_per_second() == "900");
    waitFor([&] { return chain.bus().subscriberCount() == 1; });

    const auto b3 = chain.commit({chain.tx(kProvider2, {bid(2, 700)}),    // bid 2 on job 2: not shown
                                  chain.tx(kProvider2, {bid(1, 800)})});  // bid 3 on job 1
    chain.commit({chain.tx(kProvider, {MsgBidWithdraw{1}})});
    chain.commit({chain.tx(kClient, {MsgBidAccept{3}})});

    auto placed = watch.read();
    REQUIRE(placed.bid_id() == 3);
    REQUIRE(placed.job_id() == 1);
    REQUIRE(placed.status() == "open");
    REQUIRE(placed.height() == b3.height);
    REQUIRE(placed.provider() == bech(kProvider2));
    REQUIRE(placed.price_per_second() == "800");
    auto withdrawn = watch.read();
    REQUIRE(withdrawn.bid_id() == 1);
    REQUIRE(withdrawn.status() == "withdrawn");
    REQUIRE(withdrawn.price_per_second() == "900");
    auto accepted = watch.read();
    REQUIRE(accepted.bid_id() == 3);
    REQUIRE(accepted.status() == "accepted");
}

TEST_CASE("invalid filters, addresses and ids are refused with INVALID_ARGUMENT or NOT_FOUND", "[rpc][events]") {
    Chain chain;
    Server server(chain);
    chain.commit({chain.send(kClient, 1)});
    auto code = [](auto& stream) { return stream.finish().error_code(); };
    {
        evpb::SubscribeRequest req;
        req.add_types("Not A Type");
        auto s = subscribe(server, req);
        REQUIRE(code(*s) == grpc::StatusCode::INVALID_ARGUMENT);
    }
    {
        evpb::SubscribeRequest req;
        req.add_attributes()->set_value("no key");
        auto s = subscribe(server, req);
        REQUIRE(code(*s) == grpc::StatusCode::INVALID_ARGUMENT);
    }
    {
        mkpb::WatchJobsRequest req;
        req.set_provider("agora1notanaddress");
        Stream<mkpb::JobNotice> s;
        s.reader = mkpb::ProviderService::NewStub(server.channel)->WatchJobs(&s.ctx, req);
        REQUIRE(code(s) == grpc::StatusCode::INVALID_ARGUMENT);
    }
    {
        mkpb::WatchJobsRequest req;
        req.set_provider(bech(3));  // valid address, not a provider
        Stream<mkpb::JobNotice> s;
        s.reader = mkpb::ProviderService::NewStub(server.channel)->WatchJobs(&s.ctx, req);
        REQUIRE(code(s) == grpc::StatusCode::NOT_FOUND);
    }
    {
        Stream<mkpb::BidNotice> s;
        s.reader = mkpb::ClientService::NewStub(server.channel)->WatchBids(&s.ctx, mkpb::WatchBidsRequest{});
        REQUIRE(code(s) == grpc::StatusCode::INVALID_ARGUMENT);
    }
    {
        mkpb::WatchBidsRequest req;
        req.set_job_id(42);
        Stream<mkpb::BidNotice> s;
        s.reader = mkpb::ClientService::NewStub(server.channel)->WatchBids(&s.ctx, req);
        REQUIRE(code(s) == grpc::StatusCode::NOT_FOUND);
    }
    REQUIRE(chain.bus().subscriberCount() == 0);
    REQUIRE(server.limiter.held("ipv4:127.0.0.1") == 0);
}

TEST_CASE("a client may hold at most max_streams_per_client streams; closing one frees a slot", "[rpc][events]") {
    Chain chain;
    Server server(chain, 256, 2);
    auto a = subscribe(server, evpb::SubscribeRequest{});
    mkpb::WatchJobsRequest wj;
    chain.commit({chain.tx(kProvider, {providerReg({}, 1000, 1000)})});
    wj.set_provider(bech(kProvider));
    Stream<mkpb::JobNotice> b;
    b.reader = mkpb::ProviderService::NewStub(server.channel)->WatchJobs(&b.ctx, wj);
    waitFor([&] { return chain.bus().subscriberCount() == 2; });
    auto c = subscribe(server, evpb::SubscribeRequest{});
    const auto status = c->finish();
    REQUIRE(status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
    REQUIRE(status.error_message().find("max_streams_per_client") != std::string::npos);
    a->ctx.TryCancel();
    REQUIRE(a->finish().error_code() == grpc::StatusCode::CANCELLED);
    waitFor([&] { return server.limiter.held("ipv4:127.0.0.1") == 1; });
    auto d = subscribe(server, evpb::SubscribeRequest{});
    waitFor([&] { return chain.bus().subscriberCount() == 2; });
    const auto blk = chain.commit({chain.send(kClient, 3)});
    REQUIRE(d->read().height() == blk.height);
}

TEST_CASE("shutting the bus down ends open streams with UNAVAILABLE", "[rpc][events]") {
    Chain chain;
    Server server(chain);
    auto s = subscribe(server, evpb::SubscribeRequest{});
    waitFor([&] { return chain.bus().subscriberCount() == 1; });
    chain.bus().shutdown();
    REQUIRE(s->finish().error_code() == grpc::StatusCode::UNAVAILABLE);
}

TEST_CASE("Search pages stored events newest first with Subscribe's filter and continues where a page stopped",
          "[rpc][events]") {
    Chain chain;
    Server server(chain);
    const auto b1 = chain.commit({chain.send(kClient, 5), chain.send(kOther, 6), chain.send(kClient, 7)});
    chain.commit({chain.send(kOther, 8)});
    const auto b3 = chain.commit({chain.send(kOther, 9), chain.send(kClient, 10)});
    auto stub = evpb::EventService::NewStub(server.channel);
    auto search = [&](const evpb::SearchRequest& req, evpb::SearchResponse* resp) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        return stub->Search(&ctx, req, resp);
    };

    evpb::SearchRequest req;
    req.add_types("transfer");
    auto* f = req.add_attributes();
    f->set_key("from");
    f->set_value(bech(kClient));
    evpb::SearchResponse all;
    REQUIRE(search(req, &all).ok());
    // Newest first: block 3's transfer, then block 1's in reverse order.
    REQUIRE(all.events_size() == 3);
    CHECK(all.events(0).height() == b3.height);
    CHECK(all.events(0).tx_hash() == raw(b3.txHashes[1]));
    CHECK(all.events(1).tx_hash() == raw(b1.txHashes[2]));
    CHECK(all.events(2).tx_hash() == raw(b1.txHashes[0]));
    for (const auto& e : all.events()) CHECK(attr(e, "from") == bech(kClient));
    CHECK(all.next_max_height() == 0);

    // A page of one event stops after block 3 and the next page resumes below it.
    req.set_limit(1);
    evpb::SearchResponse first;
    REQUIRE(search(req, &first).ok());
    REQUIRE(first.events_size() == 1);
    CHECK(first.events(0).height() == b3.height);
    REQUIRE(first.next_max_height() == b1.height);  // block 2 holds no match: scanned, nothing to stop at
    req.set_max_height(first.next_max_height());
    req.set_limit(0);
    evpb::SearchResponse rest;
    REQUIRE(search(req, &rest).ok());
    REQUIRE(rest.events_size() == 2);
    CHECK(rest.events(0).tx_hash() == raw(b1.txHashes[2]));

    // Bad requests are INVALID_ARGUMENT, with what is wrong.
    evpb::SearchRequest bad;
    bad.set_min_height(5);
    bad.set_max_height(2);
    evpb::SearchResponse none;
    auto status = search(bad, &none);
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(status.error_message() == "min_height is above max_height");
    bad = {};
    bad.set_limit(1'001);
    CHECK(search(bad, &none).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    bad = {};
    bad.add_types("Not A Type!");
    CHECK(search(bad, &none).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
}
