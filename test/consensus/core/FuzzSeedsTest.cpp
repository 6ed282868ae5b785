// The seed corpora of the fuzz targets (test/fuzz/corpus, docs/fuzzing.md)
// must stay valid inputs: a seed that no longer decodes after a format change
// would silently leave the fuzzer starting from noise. Regenerate them with
// test/fuzz/seeds/make_seeds.cpp when this fails after an intentional change.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "consensus/core/Block.h"
#include "consensus/core/CommitCertificate.h"
#include "consensus/core/Evidence.h"
#include "consensus/core/Proposal.h"
#include "consensus/core/Tx.h"
#include "consensus/core/Vote.h"

using namespace agora;

namespace {

std::vector<Bytes> seedsOf(const std::string& target) {
    const std::filesystem::path dir = std::filesystem::path(AGORA_SOURCE_DIR) / "test/fuzz/corpus" / target;
    std::vector<Bytes> seeds;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        std::ifstream in(entry.path(), std::ios::binary);
        seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    REQUIRE_FALSE(seeds.empty());
    return seeds;
}

template <typename T>
void requireCanonicalSeeds(const std::string& target) {
    for (const Bytes& seed : seedsOf(target)) {
        auto value = decode<T>(seed);
        INFO(target);
        REQUIRE(value.hasValue());
        REQUIRE(encode(*value) == seed);
    }
}

}  // namespace

TEST_CASE("the fuzz seeds of the consensus codec decode and are canonical", "[fuzz-seeds]") {
    requireCanonicalSeeds<BlockHeader>("decode_block_header");
    requireCanonicalSeeds<Vote>("decode_vote");
    requireCanonicalSeeds<Proposal>("decode_proposal");
    requireCanonicalSeeds<DuplicateVoteEvidence>("decode_evidence");
    requireCanonicalSeeds<CommitCertificate>("decode_commit_certificate");
    requireCanonicalSeeds<Tx>("decode_tx_body");
    for (const Bytes& seed : seedsOf("decode_block")) REQUIRE(decodeBlock(seed).hasValue());
    for (const Bytes& seed : seedsOf("decode_signed_tx")) {
        auto tx = decodeSignedTx(seed);
        REQUIRE(tx.hasValue());
        REQUIRE(tx->verifySignature());
    }
    for (const Bytes& seed : seedsOf("decode_msg")) {
        Reader r(seed);
        (void)decodeMsg(r);
        r.expectEnd();
        REQUIRE(r.ok());
    }
}
