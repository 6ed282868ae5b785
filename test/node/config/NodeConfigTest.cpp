#include <catch2/catch.hpp>

#include "node/config/NodeConfig.h"

using agora::node::NodeConfig;
namespace budget = agora::node::budget;
namespace limits = agora::limits;

TEST_CASE("an empty config file gives the documented defaults", "[config]") {
    auto cfg = NodeConfig::parse("");
    REQUIRE(cfg.hasValue());
    REQUIRE(cfg->grpc.address == "127.0.0.1:9090");
    REQUIRE(cfg->http.address == "127.0.0.1:8080");
    REQUIRE(cfg->p2p.listenAddress == "0.0.0.0:26656");
    REQUIRE(cfg->log.level == "info");
}

TEST_CASE("string values with escaped control characters are written back escaped", "[config]") {
    // Found by test/fuzz/node_config_toml: an address read from "\b..." held a
    // raw backspace that toToml wrote unescaped, so the file it wrote did not parse.
    auto cfg = NodeConfig::parse("moniker = \"a\\bb\\u0001c\\td\\u007f\\\\e\\\"\"\n");
    REQUIRE(cfg.hasValue());
    REQUIRE(cfg->moniker ==
            "a\bb\x01"
            "c\td\x7f\\e\"");
    auto back = NodeConfig::parse(cfg->toToml());
    REQUIRE(back.hasValue());
    REQUIRE(back->moniker == cfg->moniker);
    REQUIRE(back->toToml() == cfg->toToml());
}

TEST_CASE("the written default config parses back to the same values", "[config]") {
    NodeConfig c;
    c.moniker = "val-\"quoted\"";
    c.p2p.persistentPeers = {std::string(40, 'a') + "@127.0.0.1:26657"};
    c.http.corsAllowedOrigins = {"http://localhost:3000"};
    c.mempool.maxBytes = 1ULL << 33;
    auto back = NodeConfig::parse(c.toToml());
    REQUIRE(back.hasValue());
    REQUIRE(back->toToml() == c.toToml());
    REQUIRE(back->moniker == c.moniker);
    REQUIRE(back->p2p.persistentPeers == c.p2p.persistentPeers);
    REQUIRE(back->mempool.maxBytes == (1ULL << 33));
}

TEST_CASE("config values override defaults per section", "[config]") {
    auto cfg = NodeConfig::parse(R"(
moniker = "alpha"
[grpc]
address = "0.0.0.0:19090"
[consensus]
timeout_propose_ms = 3000
create_empty_blocks = true
)");
    REQUIRE(cfg.hasValue());
    REQUIRE(cfg->moniker == "alpha");
    REQUIRE(cfg->grpc.address == "0.0.0.0:19090");
    REQUIRE(cfg->consensus.timeoutProposeMs == 3000);
    REQUIRE(cfg->consensus.createEmptyBlocks);  // the default is false (decision 44)
}

TEST_CASE("config rejects unknown keys, wrong types and bad values naming the key", "[config]") {
    const std::pair<const char*, const char*> cases[] = {
        {"[grpc]\nadress = \"1:2\"", "config: unknown key grpc.adress"},
        {"[nope]\nx = 1", "config: unknown section [nope]"},
        {"typo = 1", "config: unknown key typo"},
        {"[grpc]\naddress = 9090", "config: grpc.address must be a string"},
        {"[grpc]\naddress = \"localhost\"", "config: grpc.address must be host:port: 'localhost' has no ':port'"},
        {"[grpc]\naddress = \"localhost:99999\"",
         "config: grpc.address must be host:port: 'localhost:99999': port '99999' is not 0-65535"},
        {"[p2p]\nexternal_address = \"node.example:0\"",
         "config: p2p.external_address must be host:port: 'node.example:0': port 0 cannot be dialled (1-65535)"},
        {"[mempool]\nmax_txs = -1", "config: mempool.max_txs must be between 1 and 4294967295"},
        {"[mempool]\nmax_txs = 4294967296", "config: mempool.max_txs must be between 1 and 4294967295"},
        {"[log]\nlevel = \"loud\"", "config: log.level must be one of: trace, debug, info, warn, error"},
        {"[consensus]\ncreate_empty_blocks = 1", "config: consensus.create_empty_blocks must be true or false"},
        {"[p2p]\npersistent_peers = [\"abc@1.2.3.4:5\"]",
         "config: p2p.persistent_peers entry 'abc@1.2.3.4:5' must be NODEID@host:port: node id 'abc' has 3 characters, "
         "not 40 hex characters"},
        {"[p2p]\nunconditional_peer_ids = [\"abc\"]",
         "config: p2p.unconditional_peer_ids entry 'abc' must be a node id: node id 'abc' has 3 characters, not 40 "
         "hex characters"},
        {"[p2p]\nmax_peers = 40",
         "config: p2p.max_peers was replaced by p2p.max_inbound_peers (default 40) and p2p.max_outbound_peers "
         "(default 10); persistent and unconditional peers count against neither (docs/config.md)"},
    };
    for (const auto& [text, message] : cases) {
        INFO(text);
        auto cfg = NodeConfig::parse(text);
        REQUIRE_FALSE(cfg.hasValue());
        REQUIRE(cfg.error() == message);
    }
}

TEST_CASE("inbound and outbound peer limits and unconditional peer ids are read apart", "[config]") {
    const std::string id(40, 'a');
    auto cfg = NodeConfig::parse("[p2p]\nmax_inbound_peers = 7\nmax_outbound_peers = 3\nunconditional_peer_ids = [\"" +
                                 id + "\"]\n");
    REQUIRE(cfg.hasValue());
    CHECK(cfg->p2p.maxInboundPeers == 7);
    CHECK(cfg->p2p.maxOutboundPeers == 3);
    CHECK(cfg->p2p.unconditionalPeerIds == std::vector<std::string>{id});
    CHECK(NodeConfig{}.p2p.maxInboundPeers == 40);
    CHECK(NodeConfig{}.p2p.maxOutboundPeers == 10);
}

TEST_CASE("config syntax errors report the line", "[config]") {
    auto cfg = NodeConfig::parse("moniker = \"a\"\n[grpc\n");
    REQUIRE_FALSE(cfg.hasValue());
    REQUIRE(cfg.error().find("line 2") != std::string::npos);
}

TEST_CASE("config refuses block and message sizes that contradict the size budget, naming the keys",
          "[config][budget]") {
    // The defaults satisfy the chain of limits (node/config/SizeBudget.h).
    NodeConfig defaults;
    REQUIRE(defaults.checkSizeBudget().hasValue());
    REQUIRE(defaults.mempool.maxBlockBytes + limits::kBlockEnvelopeBytesMax <= limits::kBlockBytesMax);
    REQUIRE(defaults.p2p.maxMessageBytes >= budget::kProposalMessageBytesMax);
    REQUIRE(NodeConfig::parse(defaults.toToml()).hasValue());

    // The old defaults: 8 MiB of txs cannot fit a block with its envelope, and
    // a 4 MiB peer link cannot carry the largest proposal.
    auto blockTooBig = NodeConfig::parse("[mempool]\nmax_block_bytes = 8388608");
    REQUIRE_FALSE(blockTooBig.hasValue());
    REQUIRE(blockTooBig.error().find("config: mempool.max_block_bytes (8388608)") == 0);
    REQUIRE(blockTooBig.error().find("at most 7864320") != std::string::npos);
    REQUIRE(NodeConfig::parse("[mempool]\nmax_block_bytes = 7864320").hasValue());

    auto linkTooSmall = NodeConfig::parse("[p2p]\nmax_message_bytes = 4194304");
    REQUIRE_FALSE(linkTooSmall.hasValue());
    REQUIRE(linkTooSmall.error().find("config: p2p.max_message_bytes (4194304) is below the largest proposal") == 0);
    REQUIRE(
        NodeConfig::parse("[p2p]\nmax_message_bytes = " + std::to_string(budget::kProposalMessageBytesMax)).hasValue());

    auto tooManyTxs = NodeConfig::parse("[mempool]\nmax_block_txs = 50001");
    REQUIRE_FALSE(tooManyTxs.hasValue());
    REQUIRE(tooManyTxs.error().find("config: mempool.max_block_txs (50001)") == 0);
}

TEST_CASE("config load refuses a send queue or an inbound byte rate that cannot hold a full proposal",
          "[config][p2p]") {
    const NodeConfig defaults;
    CHECK(defaults.p2p.sendQueueMaxBytes >= 2 * budget::kProposalMessageBytesMax);
    CHECK(defaults.p2p.recvRateBytesPerSec >= budget::kProposalMessageBytesMax);
    CHECK(defaults.p2p.recvRateMessagesPerSec > 0);

    auto queueTooSmall = NodeConfig::parse("[p2p]\nsend_queue_max_bytes = 1048576");
    REQUIRE_FALSE(queueTooSmall.hasValue());
    CHECK(queueTooSmall.error().find("config: p2p.send_queue_max_bytes (1048576) is below two largest proposal") == 0);
    CHECK(NodeConfig::parse("[p2p]\nsend_queue_max_bytes = " + std::to_string(2 * budget::kProposalMessageBytesMax))
              .hasValue());

    auto rateTooSmall = NodeConfig::parse("[p2p]\nrecv_rate_bytes_per_sec = 1048576");
    REQUIRE_FALSE(rateTooSmall.hasValue());
    CHECK(rateTooSmall.error().find("config: p2p.recv_rate_bytes_per_sec (1048576) is below the largest proposal") ==
          0);
    // 0 = no limit.
    auto unlimited = NodeConfig::parse("[p2p]\nrecv_rate_bytes_per_sec = 0\nrecv_rate_messages_per_sec = 0");
    REQUIRE(unlimited.hasValue());
    CHECK(unlimited->p2p.recvRateBytesPerSec == 0);
    CHECK(unlimited->p2p.recvRateMessagesPerSec == 0);
    auto set = NodeConfig::parse("[p2p]\nrecv_rate_messages_per_sec = 500");
    REQUIRE(set.hasValue());
    CHECK(set->p2p.recvRateMessagesPerSec == 500);
}
