// One size budget (docs/p2p.md, "Size budget"): with the config `agorad
// testnet init-files` writes, more valid txs than one block holds cannot make
// a proposal that peers refuse; the chain keeps committing and drains the
// mempool over several blocks.
#include <catch2/catch.hpp>

#include <grpcpp/grpcpp.h>

#include "ValidatorNetwork.h"
#include "agora/query/v1/query.grpc.pb.h"
#include "agora/tx/v1/tx.grpc.pb.h"
#include "consensus/core/Limits.h"
#include "support/TestKeys.h"

using namespace agora;
using namespace std::chrono_literals;

namespace {

// One BroadcastBatchStream request stays below grpc.max_recv_bytes (4 MiB).
constexpr std::size_t kTxsPerAccount = 40;
constexpr std::size_t kJobsPerTx = 12;

// A large valid tx that is cheap to execute: a dozen job posts, each with 32
// constraint attributes of the largest size, and a full memo (~55 KiB; 64
// sends would take the same bytes only in thousands of transfers, which
// under the sanitizers take longer to execute than a propose timeout).
Bytes largeTx(const test::TestKey& from, std::uint64_t nonce) {
    Tx tx;
    tx.chainId = test::ValidatorNetwork::kChainId;
    tx.nonce = nonce;
    tx.fee = Amount(10'000);
    tx.memo.assign(limits::kMemoMax, 'm');
    MsgJobCreate job;
    job.resources.cpuMillicores = 1'000;
    job.resources.memoryMib = 512;
    job.resources.storageGib = 1;
    for (std::size_t i = 0; i < limits::kAttributesMax; ++i) {
        const std::string key = "k" + std::to_string(100 + i);  // sorted: k100, k101, ...
        job.constraints.push_back(Attribute{key, std::string(limits::kAttributeValueMax, 'v')});
    }
    job.maxPricePerSecond = Amount(1);
    job.durationSeconds = 1;
    job.biddingWindowBlocks = 5;
    job.deposit = Amount(1);
    for (std::size_t i = 0; i < kJobsPerTx; ++i) tx.msgs.push_back(job);
    return test::signTx(from, tx).bytes();
}

// Admits txs on node i through one BroadcastBatchStream; the number admitted.
std::size_t admit(test::ValidatorNetwork& net, std::size_t i, const std::vector<Bytes>& txs) {
    auto stub = tx::v1::TxService::NewStub(test::ValidatorNetwork::freshChannel(net.member(i).grpcPort));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 60s);
    auto stream = stub->BroadcastBatchStream(&ctx);
    tx::v1::BroadcastBatchRequest req;
    for (const auto& t : txs) req.add_txs(std::string(t.begin(), t.end()));
    std::size_t admitted = 0;
    if (stream->Write(req)) {
        tx::v1::BroadcastBatchResponse resp;
        if (stream->Read(&resp))
            for (const auto& r : resp.results()) admitted += r.code() == 0 ? 1 : 0;
    }
    stream->WritesDone();
    tx::v1::BroadcastBatchResponse rest;
    while (stream->Read(&rest)) {
    }
    stream->Finish();
    return admitted;
}

}  // namespace

TEST_CASE("more valid txs than a block holds keep four validators with the default config committing",
          "[p2p][process][budget]") {
    // The block limit of the default config; fill the mempool past it by a quarter.
    const std::uint64_t blockTxBytes = node::NodeConfig{}.mempool.maxBlockBytes;
    const std::size_t txBytes = largeTx(test::testKey(100), 0).size();
    REQUIRE(txBytes <= limits::kTxBytesMax);
    const std::size_t txCount = static_cast<std::size_t>(blockTxBytes * 5 / 4 / txBytes) + 1;
    const std::size_t accountCount = (txCount + kTxsPerAccount - 1) / kTxsPerAccount;
    REQUIRE(accountCount < 100);
    std::vector<test::TestKey> senders;
    std::vector<Address> funded;
    for (std::size_t a = 0; a < accountCount; ++a) {
        senders.push_back(test::testKey(static_cast<std::uint8_t>(100 + a)));
        funded.push_back(Address::fromPublicKey(senders.back().publicKey));
    }

    test::ValidatorNetwork net({"100agr", "100agr", "100agr", "100agr"}, funded);
    net.useInitFilesTimeouts();  // the whole config as init-files writes it, but ports and peers
    net.startAll();
    const std::vector<std::size_t> all{0, 1, 2, 3};
    REQUIRE(net.waitHeight(all, 2, 60s));
    // Half the power down: no quorum, so the txs pile up in the mempools of
    // nodes 0 and 1 (more than a block's worth) before any proposer reaps.
    REQUIRE(net.stop(2));
    REQUIRE(net.stop(3));

    // Each account's txs go in nonce order to one node; gossip spreads them.
    std::size_t admitted = 0;
    std::size_t sent = 0;
    for (std::size_t a = 0; a < accountCount && sent < txCount; ++a) {
        std::vector<Bytes> txs;
        for (std::uint64_t n = 0; n < kTxsPerAccount && sent < txCount; ++n, ++sent)
            txs.push_back(largeTx(senders[a], n));
        admitted += admit(net, a % 2, txs);
    }
    INFO("txs " << txCount << " of " << txBytes << " bytes, block limit " << blockTxBytes << " tx bytes");
    REQUIRE(admitted == txCount);
    REQUIRE(admitted * txBytes > blockTxBytes);

    // Quorum again: the proposers holding the txs reap full blocks.
    net.start(2);
    net.start(3);

    // Every tx commits on every node (the last nonce of every account), and
    // the chain goes on after. The deadline allows for a loaded CI machine:
    // only nodes 0 and 1 hold the txs (the mempool does not re-send pending
    // txs to a peer that connects later), so only their rounds can carry
    // them. Before the engine waited for a received proposal's validation
    // (Engine::validatingProposal), their full proposals lost round after
    // round to empty ones at load average 20 (ASan): 39 of the 50 txs
    // committed after 44 s. A halt would never drain.
    const bool drained = test::waitUntil(
        [&] {
            std::size_t left = txCount;
            for (std::size_t a = 0; a < accountCount; ++a) {
                const std::uint64_t want = std::min(kTxsPerAccount, left);
                left -= want;
                for (auto i : all) {
                    const auto acc = net.account(i, funded[a]);
                    if (!acc || acc->second < want) return false;
                }
            }
            return true;
        },
        120s);
    REQUIRE(drained);
    const auto top = net.maxHeight(all);
    REQUIRE(net.waitHeight(all, top + 2, 30s));
    CHECK(net.stopAll());
    CHECK(net.checkNoForkNoDoubleSign() == "");
}
