// EvidencePool (issue 17, point 9): one entry per offence, and evidence a
// block may no longer carry (expired, validator tombstoned) leaves the pool
// instead of holding a slot forever.
#include <catch2/catch.hpp>

#include "node/consensus/EvidencePool.h"
#include "support/TestKeys.h"

using namespace agora;
using namespace agora::node;

namespace {

const std::string kChain = "evidence-test";

Vote vote(std::uint8_t key, std::uint64_t height, std::optional<Hash256> id, VoteType type = VoteType::Precommit) {
    const auto k = test::testKey(key);
    Vote v;
    v.type = type;
    v.height = height;
    v.round = 0;
    v.blockId = id;
    v.validator = k.publicKey;
    v.signature = test::signDigest32(k, v.signDigest(kChain));
    return v;
}

Hash256 id(std::string_view s) {
    return sha256(ByteSpan(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

DuplicateVoteEvidence evidence(std::uint8_t key, std::uint64_t height, std::optional<Hash256> a,
                               std::optional<Hash256> b, VoteType type = VoteType::Precommit) {
    return DuplicateVoteEvidence::make(vote(key, height, a, type), vote(key, height, b, type)).value();
}

// The admissibility rule of Application::evidenceAdmissible, reduced to its
// window: evidence older than `window` blocks below `next` is refused.
struct Window {
    std::uint64_t next = 10;
    std::uint64_t window = 5;
    EvidencePool::Admissible rule() const {
        return [this](const DuplicateVoteEvidence& e) -> Expected<void, std::string> {
            if (next - e.first.height > window) return Unexpected(std::string("older than unbonding_blocks"));
            return {};
        };
    }
};

}  // namespace

TEST_CASE("a second conflicting pair for an offence already pending or committed is not pooled",
          "[consensus][evidence]") {
    Window w;
    EvidencePool pool;
    // Validator 11 signed three precommits at height 8 round 0: three pairs, one offence.
    const auto ab = evidence(11, 8, id("a"), id("b"));
    const auto an = evidence(11, 8, id("a"), std::nullopt);
    const auto bn = evidence(11, 8, id("b"), std::nullopt);
    REQUIRE(pool.add(ab, kChain, w.rule()).value() == true);
    CHECK(pool.add(an, kChain, w.rule()).value() == false);
    CHECK(pool.pendingCount() == 1);
    // Another offence of the same validator (its prevotes, or another height) is pooled.
    CHECK(pool.add(evidence(11, 8, id("a"), id("b"), VoteType::Prevote), kChain, w.rule()).value() == true);
    CHECK(pool.add(evidence(11, 9, id("a"), id("b")), kChain, w.rule()).value() == true);
    CHECK(pool.pendingCount() == 3);

    pool.markCommitted({an});         // a block carried another pair of the first offence
    CHECK(pool.pendingCount() == 2);  // ours for that offence is gone too
    CHECK(pool.add(bn, kChain, w.rule()).value() == false);
    CHECK(pool.add(ab, kChain, w.rule()).value() == false);
}

TEST_CASE("known() says whether an offence is pending or committed, whichever pair names it", "[consensus][evidence]") {
    Window w;
    EvidencePool pool;
    const auto ab = evidence(11, 8, id("a"), id("b"));
    CHECK_FALSE(pool.known(ab));
    REQUIRE(pool.add(ab, kChain, w.rule()).value() == true);
    CHECK(pool.known(evidence(11, 8, id("a"), std::nullopt)));  // another pair, the same offence
    CHECK_FALSE(pool.known(evidence(11, 8, id("a"), id("b"), VoteType::Prevote)));
    const auto other = evidence(12, 8, id("a"), id("b"));
    pool.markCommitted({other});
    CHECK(pool.known(other));
}

TEST_CASE("evidence that a block may no longer carry leaves the pool and frees its slot", "[consensus][evidence]") {
    Window w;
    EvidencePool pool(2);
    const auto old1 = evidence(11, 6, id("a"), id("b"));
    const auto old2 = evidence(12, 6, id("a"), id("b"));
    REQUIRE(pool.add(old1, kChain, w.rule()).value());
    REQUIRE(pool.add(old2, kChain, w.rule()).value());

    // Blocks went by: height 6 is now outside the window, nothing carried it.
    w.next = 12;
    const auto fresh = evidence(13, 11, id("a"), id("b"));
    SECTION("a full pool makes room by dropping what expired") {
        auto added = pool.add(fresh, kChain, w.rule());
        INFO((added ? std::string() : added.error()));
        REQUIRE(added.hasValue());
        CHECK(*added == true);
        CHECK(pool.pendingCount() == 1);
        CHECK(pool.pending(w.rule()) == std::vector<DuplicateVoteEvidence>{fresh});
    }
    SECTION("prune after a commit drops it") {
        CHECK(pool.prune(w.rule()) == 2);
        CHECK(pool.pendingCount() == 0);
    }
}
