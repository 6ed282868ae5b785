#include <catch2/catch.hpp>

#include "consensus/state/MemoryStateStore.h"
#include "node/gateway/ChainMetrics.h"
#include "support/TestKeys.h"

using namespace agora;
using namespace agora::node;

namespace {

IndexedEvent ev(std::uint64_t height, state::Event e) {
    IndexedEvent ie;
    ie.height = height;
    ie.phase = EventPhase::Tx;
    ie.event = std::move(e);
    return ie;
}

BlockEvents block(std::uint64_t h, std::vector<state::Event> events) {
    BlockEvents b;
    b.height = h;
    for (auto& e : events) b.events.push_back(ev(h, std::move(e)));
    return b;
}

}  // namespace

TEST_CASE("chain metrics follow jobs, leases and escrow from block events without reading state",
          "[gateway][metrics]") {
    MetricsRegistry registry;
    Mempool mempool(MempoolLimits{}, std::make_shared<SignatureCache>());
    ChainMetrics m(registry, mempool, {});

    m.onBlockEvents(
        block(1, {state::Event("job_created").add("job_id", 1), state::Event("job_created").add("job_id", 2)}));
    REQUIRE(m.openJobs() == 2);
    m.onBlockEvents(block(2, {state::Event("bid_accepted").add("bid_id", 1).add("job_id", 1).add("lease_id", 7),
                              state::Event("lease_created").add("lease_id", 7).add("deposit", 1000),
                              state::Event("job_cancelled").add("job_id", 2).add("refunded", 5)}));
    REQUIRE(m.openJobs() == 0);
    REQUIRE(m.openLeases() == 1);
    REQUIRE(m.escrowLocked() == 1000);
    m.onBlockEvents(block(3, {state::Event("lease_topped_up").add("lease_id", 7).add("amount", 500),
                              state::Event("provider_withdraw").add("lease_id", 7).add("amount", 300)}));
    REQUIRE(m.escrowLocked() == 1200);
    m.onBlockEvents(block(4, {state::Event("lease_closed").add("lease_id", 7).add("accrued", 100)}));
    REQUIRE(m.openLeases() == 0);
    REQUIRE(m.escrowLocked() == 1200);  // closed but not settled: still held
    m.onBlockEvents(block(5, {state::Event("lease_settled").add("lease_id", 7).add("paid_to_provider", 400)}));
    REQUIRE(m.escrowLocked() == 0);

    const std::string text = registry.render();
    REQUIRE(text.find("agora_jobs_open 0") != std::string::npos);
    REQUIRE(text.find("agora_p2p_peers 0") != std::string::npos);
}

TEST_CASE("missed blocks are counted per validator from commit certificates", "[gateway][metrics]") {
    MetricsRegistry registry;
    Mempool mempool(MempoolLimits{}, std::make_shared<SignatureCache>());
    ChainMetrics m(registry, mempool, {});
    const auto a = agora::test::testKey(1).publicKey;
    const auto b = agora::test::testKey(2).publicKey;
    auto set = ValidatorSet::create({Validator{a, 10, 0}, Validator{b, 10, 0}});
    REQUIRE(set.hasValue());
    state::MemoryStateStore empty;  // no jobs or leases
    m.seed(*empty.snapshot(), 0, 0, *set);
    CommitCertificate cert;
    cert.height = 1;
    cert.signatures.push_back(CommitSignature{a, Signature{}});
    m.onCommit(1, 1000, 3, cert, *set);
    m.onCommit(2, 1500, 0, cert, *set);
    auto& missed = registry.counter("agora_validator_missed_blocks_total",
                                    "Blocks whose commit certificate lacks this validator's precommit (since start).",
                                    {"validator"});
    REQUIRE(missed.labels({a.toHex()}).value() == 0);
    REQUIRE(missed.labels({b.toHex()}).value() == 2);
    REQUIRE(registry.render().find("agora_txs_committed_total 3") != std::string::npos);
    REQUIRE(registry.render().find("agora_block_interval_last_milliseconds 500") != std::string::npos);
}
