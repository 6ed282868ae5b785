// agorad as a real process on loopback (RunningNode): init, start, transact
// over gRPC, survive kill -9, shut down cleanly on SIGTERM.
#include <grpcpp/grpcpp.h>
#include <catch2/catch.hpp>

#include "agora/query/v1/query.grpc.pb.h"
#include "agora/tx/v1/tx.grpc.pb.h"
#include "node/config/NodeConfig.h"
#include "support/RunningNode.h"
#include "support/TestKeys.h"

#include <fstream>

#ifndef AGORAD_BINARY
#error "AGORAD_BINARY must name the agorad executable (test/CMakeLists.txt)"
#endif

using namespace agora;
namespace q = agora::query::v1;
namespace txpb = agora::tx::v1;
using namespace std::chrono_literals;

namespace {

// One validator, testKey(1) funded, fast blocks, our own ports (RunningNode).
test::RunningNode::Setup devnet(bool start = true) {
    test::RunningNode::Setup setup;
    setup.adjust = [](node::NodeConfig& cfg) { cfg.moniker = "val0"; };
    setup.fund = test::RunningNode::fundTestKeys(1, 5'000'000'000);
    setup.start = start;
    return setup;
}

Bytes sendTx(std::uint64_t nonce, const Address& to, std::uint64_t amount) {
    Tx tx;
    tx.chainId = "proc-test";
    tx.nonce = nonce;
    tx.fee = Amount(1'000);
    tx.msgs = {MsgSend{to, Amount(amount)}};
    return test::signTx(test::testKey(1), tx).bytes();
}

}  // namespace

TEST_CASE("agorad commits a transfer broadcast over gRPC and keeps its chain across kill -9", "[agorad][process]") {
    test::RunningNode net("agorad-proc", "proc-test", devnet());
    INFO(net.log());
    REQUIRE(net.waitHeight(2));

    const Address bob = Address::fromPublicKey(test::testKey(2).publicKey);
    auto txStub = txpb::TxService::NewStub(net.channel());
    txpb::BroadcastRequest req;
    const Bytes raw = sendTx(0, bob, 1'234'567);
    req.set_tx(std::string(raw.begin(), raw.end()));
    req.set_mode(txpb::BROADCAST_MODE_COMMIT);
    txpb::BroadcastResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 30s);
    auto st = txStub->Broadcast(&ctx, req, &resp);
    INFO(st.error_message());
    REQUIRE(st.ok());
    REQUIRE(resp.code() == 0);
    REQUIRE(resp.height() >= 1);
    const std::uint64_t txHeight = resp.height();

    auto qStub = q::QueryService::NewStub(net.channel());
    q::AccountRequest areq;
    areq.set_address(bob.toBech32());
    areq.mutable_options()->set_prove(true);
    q::AccountResponse aresp;
    grpc::ClientContext actx;
    REQUIRE(qStub->Account(&actx, areq, &aresp).ok());
    REQUIRE(aresp.balance() == "1234567");
    REQUIRE_FALSE(aresp.state().proof().empty());

    // The block holding the tx, by height; remember its id.
    q::BlockRequest breq;
    breq.set_height(txHeight);
    q::BlockResponse bresp;
    grpc::ClientContext bctx;
    REQUIRE(qStub->Block(&bctx, breq, &bresp).ok());
    REQUIRE(bresp.block().txs_size() == 1);
    const std::string blockId = bresp.block().header_view().block_id();

    // kill -9 at an arbitrary instant, restart: same history, chain goes on.
    const auto before = net.latestHeight();
    net.process().signal(SIGKILL);
    REQUIRE(net.process().waitExit(10s) == 128 + SIGKILL);
    net.start(before + 2);
    q::BlockResponse again;
    grpc::ClientContext ctx2;
    REQUIRE(qStub->Block(&ctx2, breq, &again).ok());
    REQUIRE(again.block().header_view().block_id() == blockId);

    // Replaying the same tx is refused: its nonce is spent.
    txpb::BroadcastResponse dup;
    grpc::ClientContext dctx;
    req.set_mode(txpb::BROADCAST_MODE_SYNC);
    auto dupStatus = txStub->Broadcast(&dctx, req, &dup);
    REQUIRE(dupStatus.error_code() == grpc::StatusCode::FAILED_PRECONDITION);

    REQUIRE(net.stop() == 0);
    REQUIRE(net.log().find("stopped cleanly") != std::string::npos);
}

TEST_CASE("agorad refuses to start on a config with an unknown section", "[agorad][process]") {
    test::RunningNode net("agorad-proc", "proc-test", devnet(false));
    { std::ofstream(net.configFile(), std::ios::app) << "\n[grcp]\naddress = \"127.0.0.1:1\"\n"; }
    net.launch();
    REQUIRE(net.process().waitExit(20s) == 1);
    REQUIRE(net.log().find("config: unknown section [grcp]") != std::string::npos);
}

TEST_CASE("the agora CLI sends tokens and reads them back from a running agorad", "[agorad][process][cli]") {
    test::RunningNode net("agorad-proc", "proc-test", devnet());
    REQUIRE(net.waitHeight(1));
    // A keyring holding test key 1 (funded at genesis).
    const std::string ring = net.path("keyring");
    const std::string pass = net.path("pass.txt");
    const std::string secret = net.path("secret.txt");
    std::ofstream(pass) << "pw\n";
    std::ofstream(secret) << std::string(63, '0') << "1\n";
    const std::string node = net.address();
    auto agora = [&](std::vector<std::string> args, const std::string& log) {
        std::vector<std::string> full = {
            AGORA_CLI_BINARY, "--keyring-dir", ring, "--passphrase-file", pass, "--node", node};
        full.insert(full.end(), args.begin(), args.end());
        return test::runToExit(full, net.path(log));
    };
    REQUIRE(agora({"keys", "import", "alice", secret}, "import.log") == 0);
    const std::string bob = Address::fromPublicKey(test::testKey(2).publicKey).toBech32();
    REQUIRE(agora({"tx", "send", bob, "1.5agr", "--from", "alice", "--wait", "-o", "json"}, "send.log") == 0);
    REQUIRE(agora({"query", "account", bob, "-o", "json"}, "account.log") == 0);
    std::ifstream in(net.path("account.log"));
    std::string line;
    std::getline(in, line);
    REQUIRE(line.find("\"balance\":\"1500000\"") != std::string::npos);
    // A bad recipient is a user error (exit 1), and nothing is sent.
    REQUIRE(agora({"tx", "send", "agora1bad", "5", "--from", "alice"}, "bad.log") == 1);
    REQUIRE(agora({"query", "block", "999999"}, "noblock.log") == 1);
    REQUIRE(net.stop() == 0);
}
