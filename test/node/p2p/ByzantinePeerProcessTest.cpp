// Hostile peers (docs/p2p.md, "Hostile peers"; decision 49): four honest
// agorad validators and one agora-byzantine-peer process that speaks the p2p
// protocol and misbehaves. For every scenario HostileNetwork::scenario checks
// that the chain keeps committing, every honest link stays up, every honest
// node's RSS stays bounded and the chain has no fork afterwards; each case
// adds where it applies that the hostile peer is disconnected or banned (its
// report).
#include "HostileNetwork.h"

using namespace agora;
using namespace agora::test::hostile;

TEST_CASE("a peer that re-sends proposals with other block bytes first is banned and four validators keep committing",
          "[p2p][process][byzantine]") {
    HostileNetwork hn;
    hn.scenario({0, 1, 2, 3}, {"--scenario", "tamper-proposals"}, [&](const AttackOutcome& out) {
        CHECK(out.count("tampered proposals sent") >= 1);
        CHECK(out.count("disconnected by peer") >= 1);
        // Refused at the handshake while the ban lasts.
        CHECK(out.count("refused: peer refused us: banned") >= 1);
    });
}

// Before p2p admission (decision 48) the nodes buffered and relayed consensus
// messages signed by any key for the next 4 heights: this flood grew every
// node by 200-280 MiB (bound 128 MiB) and stalled the chain (height 2 -> 3 in
// 12 s).
TEST_CASE(
    "a flood of self-signed max-size proposals and votes for the next heights keeps four validators committing within "
    "the RSS bound",
    "[p2p][process][byzantine]") {
    HostileNetwork hn;
    const std::uint64_t offered = 4 * kRssGrowthBoundKib * 1024;
    hn.scenario({0, 1, 2, 3}, {"--scenario", "junk-flood", "--max-bytes", std::to_string(offered)},
                [&](const AttackOutcome& out) {
                    // The flood reached every node: max-size junk went out to each at least
                    // once (how much more depends on whether they read on or ban the sender).
                    CHECK(out.count("junk proposals sent") >= 4);
                });
}

TEST_CASE("oversized messages end the sender's stream, the invalid ones ban it, and four validators keep committing",
          "[p2p][process][byzantine]") {
    HostileNetwork hn;
    hn.scenario({0, 1, 2, 3}, {"--scenario", "oversized"}, [&](const AttackOutcome& out) {
        for (const std::string kind : {"envelope above p2p.max_message_bytes", "proposal block above the block limit",
                                       "tx batch above 1 MiB", "peer list above 32 entries"}) {
            INFO(kind);
            CHECK(out.count(kind + ": sent") >= 1);
            CHECK(out.count(kind + ": disconnected by peer") >= 1);
            CHECK(out.count(kind + ": still connected after 4.5 s") == 0);
        }
        // Above the gRPC limit the transport cuts the stream (no offence can be
        // scored: the message never arrives); the others are invalid data.
        for (const std::string kind :
             {"proposal block above the block limit", "tx batch above 1 MiB", "peer list above 32 entries"}) {
            INFO(kind);
            CHECK(out.count(kind + ": banned") >= 1);
            CHECK(out.count(kind + ": readmitted") == 0);
        }
    });
}

TEST_CASE("a peer claiming height + 100 and serving no blocks leaves four validators committing, none catching up",
          "[p2p][process][byzantine]") {
    HostileNetwork hn;
    hn.scenario({0, 1, 2, 3}, {"--scenario", "lying-status"}, [&](const AttackOutcome& out) {
        CHECK(out.count("lying status sent") >= 1);
        // The validators asked the liar (it is a sync source) and got no block.
        CHECK(out.count("GetStatus answered with a lie") >= 1);
        CHECK(out.catchingUpSamples == 0);
    });
}

TEST_CASE("a relay of one validator's handshake to another is taken for neither and the two stay connected",
          "[p2p][process][byzantine]") {
    HostileNetwork hn;
    hn.scenario({0, 1}, {"--scenario", "relay-handshake"}, [&](const AttackOutcome& out) {
        for (const std::string mode : {"forward", "substitute"}) {
            INFO(mode);
            CHECK(out.count(mode + ": attempts") >= 1);
            CHECK(out.count(mode + ": both victims hung up") >= 1);
            // A victim that took the relay for its peer would have sent frames.
            CHECK(out.count(mode + ": frames from victims after the relayed handshake") == 0);
        }
    });
}

TEST_CASE("an inbound sybil flood fills only the inbound slots: the validator keeps its peers and commits",
          "[p2p][process][byzantine]") {
    HostileNetwork hn;
    const std::uint32_t inboundMax = node::P2pConfig{}.maxInboundPeers;
    hn.scenario({0}, {"--scenario", "sybil-flood", "--connections", std::to_string(inboundMax + 20)},
                [&](const AttackOutcome& out) {
                    CHECK(out.count("sybils admitted") >= 1);
                    CHECK(out.count("refused: peer refused us: too many inbound peers (p2p.max_inbound_peers)") >= 1);
                    // The three validators (persistent, exempt) and at most the inbound limit of sybils.
                    CHECK(out.mostPeersOnNode0 <= 3 + inboundMax);
                });
}
