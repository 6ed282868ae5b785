#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "consensus/core/Codec.h"
#include "consensus/state/MemoryStateStore.h"
#include "consensus/state/StateChunk.h"
#include "consensus/state/StateTestUtil.h"
#include "consensus/state/TreeHash.h"

using namespace agora;
using namespace agora::state;
using agora::test::bytesOf;
using agora::test::TestRng;

namespace {

std::map<Bytes, Bytes> randomState(std::uint64_t seed, int keys) {
    TestRng rng(seed);
    std::map<Bytes, Bytes> model;
    for (int i = 0; i < keys; ++i) model[bytesOf("acct/" + std::to_string(i))] = agora::test::randomValue(rng);
    return model;
}

std::vector<StateChunk> chunksOf(const std::map<Bytes, Bytes>& model, std::uint64_t height, unsigned depth,
                                 Hash256* root = nullptr) {
    StateChunkBuilder builder(height, depth);
    for (const auto& [k, v] : model) REQUIRE(builder.add(k, v).hasValue());
    return std::move(builder).finish(root);
}

ChunkRequest requestFor(const StateChunk& c, const Hash256& appHash) {
    return ChunkRequest{c.height, appHash, c.depth, c.index};
}

ChunkErrorCode refusal(const ChunkRequest& want, const StateChunk& c) {
    auto r = verifyStateChunk(want, c);
    REQUIRE_FALSE(r.hasValue());
    return r.error().code;
}

}  // namespace

TEST_CASE("every chunk verifies alone against the app hash and the chunks hold exactly the state", "[chunk]") {
    for (int keys : {0, 1, 2, 3, 300}) {
        const auto model = randomState(static_cast<std::uint64_t>(40 + keys), keys);
        MemoryStateStore store;
        StateChanges changes;
        for (const auto& [k, v] : model) changes[k] = v;
        const Hash256 appHash = store.commit(7, changes).value();
        REQUIRE(appHash == agora::test::referenceTree(model).root);
        for (unsigned depth : {0U, 1U, 4U, 8U}) {
            CAPTURE(keys, depth);
            Hash256 folded;
            const auto chunks = chunksOf(model, 7, depth, &folded);
            CHECK(folded == appHash);
            REQUIRE(chunks.size() == (std::size_t{1} << depth));
            std::map<Bytes, Bytes> restored;
            for (const auto& c : chunks) {
                auto ok = verifyStateChunk(requestFor(c, appHash), c);
                INFO((ok.hasValue() ? std::string() : ok.error().message()));
                CHECK(ok.hasValue());
                CHECK(decode<StateChunk>(encode(c)).value() == c);
                for (const auto& e : c.entries) CHECK(restored.emplace(e.key, e.value).second);
            }
            CHECK(restored == model);
        }
    }
}

TEST_CASE("a chunk with a tampered value, a dropped pair or an extra pair is refused", "[chunk]") {
    const auto model = randomState(51, 300);
    Hash256 appHash;
    const auto chunks = chunksOf(model, 3, 4, &appHash);
    StateChunk c = chunks[5];
    REQUIRE(c.entries.size() >= 2);

    StateChunk tampered = c;
    tampered.entries[1].value.push_back(0x01);
    CHECK(refusal(requestFor(c, appHash), tampered) == ChunkErrorCode::RootMismatch);

    StateChunk dropped = c;
    dropped.entries.erase(dropped.entries.begin());
    CHECK(refusal(requestFor(c, appHash), dropped) == ChunkErrorCode::RootMismatch);

    StateChunk foreign = c;
    foreign.entries.push_back(chunks[6].entries.front());
    CHECK(refusal(requestFor(c, appHash), foreign) == ChunkErrorCode::EntryOutsideChunk);

    StateChunk swapped = c;
    std::swap(swapped.entries[0], swapped.entries[1]);
    CHECK(refusal(requestFor(c, appHash), swapped) == ChunkErrorCode::EntriesNotSorted);
}

TEST_CASE("a chunk with a wrong sibling on its path is refused", "[chunk]") {
    const auto model = randomState(52, 300);
    Hash256 appHash;
    const auto chunks = chunksOf(model, 3, 4, &appHash);
    for (std::size_t d = 0; d < 4; ++d) {
        CAPTURE(d);
        StateChunk c = chunks[7];
        REQUIRE(c.siblings[d].kind == NodeKind::Internal);  // 300 keys: every subtree down to depth 4 holds several
        c.siblings[d].nodeHash = sha256(bytesOf("not the sibling"));
        CHECK(refusal(requestFor(chunks[7], appHash), c) == ChunkErrorCode::RootMismatch);
        c.siblings[d] = SubtreeSummary::empty();
        CHECK(refusal(requestFor(chunks[7], appHash), c) == ChunkErrorCode::RootMismatch);
    }
}

TEST_CASE("a chunk of another height is refused, also when relabelled", "[chunk]") {
    auto model = randomState(53, 120);
    Hash256 root1;
    const auto old = chunksOf(model, 1, 2, &root1);
    model[bytesOf("acct/0")] = bytesOf("changed at height 2");
    Hash256 root2;
    const auto fresh = chunksOf(model, 2, 2, &root2);
    REQUIRE(root1 != root2);

    const ChunkRequest want{2, root2, 2, 0};
    CHECK(refusal(want, old[0]) == ChunkErrorCode::WrongHeight);
    // The changed key lives in one chunk; that chunk (relabelled) must fail on
    // content, the others fail on their siblings (which include it).
    for (std::uint32_t i = 0; i < 4; ++i) {
        StateChunk relabelled = old[i];
        relabelled.height = 2;
        CHECK(refusal(ChunkRequest{2, root2, 2, i}, relabelled) == ChunkErrorCode::RootMismatch);
        CHECK(verifyStateChunk(ChunkRequest{2, root2, 2, i}, fresh[i]).hasValue());
    }
}

TEST_CASE("a chunk of another index or depth than requested is refused", "[chunk]") {
    const auto model = randomState(54, 50);
    Hash256 appHash;
    const auto chunks = chunksOf(model, 9, 3, &appHash);
    CHECK(refusal(ChunkRequest{9, appHash, 3, 2}, chunks[1]) == ChunkErrorCode::WrongLayout);
    CHECK(refusal(ChunkRequest{9, appHash, 4, 1}, chunks[1]) == ChunkErrorCode::WrongLayout);
    StateChunk shortPath = chunks[1];
    shortPath.siblings.pop_back();
    CHECK(refusal(requestFor(chunks[1], appHash), shortPath) == ChunkErrorCode::WrongLayout);
}

TEST_CASE("a chunk that passes its own lone leaf off as a sibling's is refused", "[chunk]") {
    // One key: the root is its leaf, and every other chunk's path carries that
    // leaf as a sibling. An empty chunk under the key's own index, with the
    // leaf as its sibling, folds to the right root (the leaf rises past the
    // empty half) but would hide the key: the sibling check refuses it.
    std::map<Bytes, Bytes> model{{bytesOf("alone"), bytesOf("v")}};
    Hash256 appHash;
    const auto chunks = chunksOf(model, 4, 1, &appHash);
    const std::uint32_t home = chunkIndexOf(sha256(bytesOf("alone")), 1);
    const std::uint32_t other = home ^ 1U;
    REQUIRE(chunks[other].entries.empty());
    REQUIRE(chunks[other].siblings[0].kind == NodeKind::Leaf);

    StateChunk lie = chunks[other];
    lie.index = home;
    CHECK(refusal(ChunkRequest{4, appHash, 1, home}, lie) == ChunkErrorCode::SiblingOutsidePath);
    CHECK(verifyStateChunk(ChunkRequest{4, appHash, 1, home}, chunks[home]).hasValue());
    CHECK(verifyStateChunk(ChunkRequest{4, appHash, 1, other}, chunks[other]).hasValue());
}

TEST_CASE("chunk encoding matches the documented bytes and decodes strictly", "[chunk]") {
    StateChunk c;
    c.height = 5;
    c.depth = 1;
    c.index = 0;
    c.siblings = {SubtreeSummary::empty()};
    const Bytes bytes = encode(c);
    CHECK(toHex(bytes) ==
          "01"
          "0000000000000005"
          "01"
          "00000000"
          "00"
          "01"
          "00");
    CHECK(decode<StateChunk>(bytes).value() == c);

    auto fails = [](Bytes b) {
        auto r = decode<StateChunk>(b);
        REQUIRE_FALSE(r.hasValue());
        return r.error().code;
    };
    Bytes b = bytes;
    b[0] = 0x02;
    CHECK(fails(b) == CodecError::UnknownTag);
    b = bytes;
    b[9] = 17;  // depth above kChunkDepthMax
    CHECK(fails(b) == CodecError::InvalidValue);
    b = bytes;
    b[13] = 2;  // index 2 at depth 1
    CHECK(fails(b) == CodecError::InvalidValue);
    b = bytes;
    b[15] = 2;  // two siblings at depth 1
    CHECK(fails(b) == CodecError::LengthTooLong);
    b = bytes;
    b[15] = 0;
    b.pop_back();
    CHECK(fails(b) == CodecError::LengthTooShort);
    b = bytes;
    b[16] = 3;  // no such subtree kind
    CHECK(fails(b) == CodecError::InvalidEnum);
    b = bytes;
    b.push_back(0);
    CHECK(fails(b) == CodecError::TrailingBytes);

    // Two entries out of key-hash order.
    StateChunk two;
    two.entries = {{bytesOf("a"), bytesOf("1")}, {bytesOf("b"), bytesOf("2")}};
    if (sha256(two.entries[1].key) < sha256(two.entries[0].key)) std::swap(two.entries[0], two.entries[1]);
    CHECK(decode<StateChunk>(encode(two)).hasValue());
    std::swap(two.entries[0], two.entries[1]);
    CHECK(fails(encode(two)) == CodecError::NotSorted);
    two.entries[1] = two.entries[0];
    CHECK(fails(encode(two)) == CodecError::NotSorted);
}

TEST_CASE("the builder refuses a key above the chunk bound", "[chunk]") {
    StateChunkBuilder builder(1, 0);
    auto r = builder.add(Bytes(kChunkKeyMax + 1, 0x61), bytesOf("v"));
    REQUIRE_FALSE(r.hasValue());
    CHECK(r.error().code == ChunkErrorCode::EntryTooLarge);
}
