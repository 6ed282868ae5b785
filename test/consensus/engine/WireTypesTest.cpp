#include <catch2/catch.hpp>

#include "consensus/core/CommitCertificate.h"
#include "consensus/core/Evidence.h"
#include "consensus/core/Proposal.h"
#include "consensus/core/SignDigest.h"
#include "consensus/core/Vote.h"
#include "consensus/engine/ChainState.h"
#include "consensus/engine/Input.h"
#include "consensus/engine/SignerState.h"
#include "sim/TestKeys.h"

using namespace agora;

namespace {

const std::string kChain = "agora-test-1";

Hash256 idOf(std::string_view s) {
    return sha256(asBytes(s));
}

Vote signedVote(std::size_t who, VoteType type, std::uint64_t h, std::uint32_t r, std::optional<Hash256> id) {
    Vote v;
    v.type = type;
    v.height = h;
    v.round = r;
    v.blockId = id;
    v.validator = sim::TestKey(who).publicKey();
    v.signature = sim::TestKey(who).sign(v.signDigest(kChain));
    return v;
}

}  // namespace

TEST_CASE("vote sign-bytes match the documented layout byte for byte", "[wire][vote]") {
    Vote v;
    v.type = VoteType::Precommit;
    v.height = 0x0102030405060708ULL;
    v.round = 0x0a0b0c0d;
    v.blockId = Hash256::fromHex("1111111111111111111111111111111111111111111111111111111111111111");
    REQUIRE(toHex(v.signPayload()) ==
            "0102030405060708"                                                    // u64 height
            "0a0b0c0d"                                                            // u32 round
            "02"                                                                  // type precommit
            "01"                                                                  // block id present
            "1111111111111111111111111111111111111111111111111111111111111111");  // block id
    v.blockId.reset();
    REQUIRE(toHex(v.signPayload()) == "01020304050607080a0b0c0d0200");
    // Published vector (docs/consensus.md).
    REQUIRE(v.signDigest(kChain).toHex() == "a58c00ff7836f1677385186381c6930824204746cc7011cbb323e1f4c4e8cf9d");
    // digest = SHA-256(varint len || "agora/vote/v1" || varint len || chain id || payload)
    Writer w;
    w.string("agora/vote/v1");
    w.string(kChain);
    w.raw(v.signPayload());
    REQUIRE(v.signDigest(kChain) == sha256(w.data()));
    REQUIRE(v.signDigest(kChain) == signDigest(domain::kVote, kChain, v.signPayload()));
    REQUIRE(v.signDigest(kChain) != v.signDigest("other-chain"));
}

TEST_CASE("proposal sign-bytes match the documented layout and differ from vote sign-bytes", "[wire][proposal]") {
    Proposal p;
    p.height = 7;
    p.round = 3;
    p.polRound = 1;
    p.blockId = Hash256::fromHex("2222222222222222222222222222222222222222222222222222222222222222").value();
    p.block = {0xde, 0xad};
    REQUIRE(toHex(p.signPayload()) ==
            "0000000000000007"
            "00000003"
            "01"
            "00000001"
            "2222222222222222222222222222222222222222222222222222222222222222");
    p.polRound.reset();
    REQUIRE(toHex(p.signPayload()) ==
            "000000000000000700000003002222222222222222222222222222222222222222222222222222222222222222");
    REQUIRE(p.signDigest(kChain) == signDigest(domain::kProposal, kChain, p.signPayload()));
    // The block bytes are not signed directly: the id covers them.
    Proposal q = p;
    q.block = {0x00};
    REQUIRE(q.signDigest(kChain) == p.signDigest(kChain));
}

TEST_CASE("votes round-trip, verify, and decoding rejects non-canonical forms", "[wire][vote]") {
    const Vote v = signedVote(1, VoteType::Prevote, 5, 2, idOf("block"));
    REQUIRE(v.verifySignature(kChain));
    REQUIRE_FALSE(v.verifySignature("other-chain"));
    const Bytes bytes = encode(v);
    REQUIRE(bytes.size() == 8 + 4 + 1 + 1 + 32 + 32 + 64);
    auto back = decode<Vote>(bytes);
    REQUIRE(back);
    REQUIRE(*back == v);

    Bytes badType = bytes;
    badType[12] = 3;
    REQUIRE(decode<Vote>(badType).error().code == CodecError::InvalidEnum);
    Bytes badBool = bytes;
    badBool[13] = 2;
    REQUIRE(decode<Vote>(badBool).error().code == CodecError::InvalidBool);
    Bytes trailing = bytes;
    trailing.push_back(0);
    REQUIRE(decode<Vote>(trailing).error().code == CodecError::TrailingBytes);
    Bytes zeroHeight = bytes;
    for (int i = 0; i < 8; ++i) zeroHeight[i] = 0;
    REQUIRE(decode<Vote>(zeroHeight).error().code == CodecError::InvalidValue);
    Bytes truncated(bytes.begin(), bytes.end() - 1);
    REQUIRE(decode<Vote>(truncated).error().code == CodecError::Truncated);
}

TEST_CASE("proposals round-trip and decoding rejects a proof-of-lock round not below the round", "[wire][proposal]") {
    Proposal p;
    p.height = 3;
    p.round = 2;
    p.polRound = 1;
    p.blockId = idOf("b");
    p.block = {1, 2, 3};
    p.proposer = sim::TestKey(0).publicKey();
    p.signature = sim::TestKey(0).sign(p.signDigest(kChain));
    REQUIRE(p.verifySignature(kChain));
    auto back = decode<Proposal>(encode(p));
    REQUIRE(back);
    REQUIRE(*back == p);
    Proposal bad = p;
    bad.polRound = 2;
    REQUIRE(decode<Proposal>(encode(bad)).error().code == CodecError::InvalidValue);
}

TEST_CASE("commit certificates verify only with more than 2/3 of the power and canonical order",
          "[wire][certificate]") {
    std::vector<ValidatorUpdate> members;
    for (std::size_t i = 0; i < 4; ++i) members.push_back({sim::TestKey(i).publicKey(), i == 0 ? 40u : 20u});
    const ValidatorSet set = *ValidatorSet::fromUpdates(members);  // total 100
    const Hash256 id = idOf("decided");
    CommitCertificate c;
    c.height = 9;
    c.round = 1;
    c.blockId = id;
    std::vector<std::size_t> signers = {0, 1};  // 60: no quorum
    auto rebuild = [&]() {
        c.signatures.clear();
        std::vector<CommitSignature> sigs;
        for (std::size_t i : signers) {
            const Vote v = signedVote(i, VoteType::Precommit, 9, 1, id);
            sigs.push_back({v.validator, v.signature});
        }
        std::sort(sigs.begin(), sigs.end(),
                  [](const CommitSignature& a, const CommitSignature& b) { return a.validator < b.validator; });
        c.signatures = sigs;
    };
    rebuild();
    REQUIRE(c.verify(kChain, 9, set).error() == CertificateError::NoQuorum);
    signers = {0, 1, 2};  // 80
    rebuild();
    REQUIRE(c.verify(kChain, 9, set));
    REQUIRE(c.verify(kChain, 8, set).error() == CertificateError::WrongHeight);
    REQUIRE(c.verify("other-chain", 9, set).error() == CertificateError::BadSignature);
    auto back = decode<CommitCertificate>(encode(c));
    REQUIRE(back);
    REQUIRE(*back == c);
    CommitCertificate swapped = c;
    std::swap(swapped.signatures[0], swapped.signatures[1]);
    REQUIRE(swapped.verify(kChain, 9, set).error() == CertificateError::NotSorted);
    REQUIRE(decode<CommitCertificate>(encode(swapped)).error().code == CodecError::NotSorted);
    CommitCertificate outsider = c;
    const Vote o = signedVote(9, VoteType::Precommit, 9, 1, id);
    outsider.signatures = {{o.validator, o.signature}};
    REQUIRE(outsider.verify(kChain, 9, set).error() == CertificateError::UnknownSigner);
}

TEST_CASE("duplicate-vote evidence is canonical, verifiable, and rejects non-duplicates", "[wire][evidence]") {
    const Vote a = signedVote(2, VoteType::Prevote, 4, 0, idOf("a"));
    const Vote nil = signedVote(2, VoteType::Prevote, 4, 0, std::nullopt);
    auto ev = DuplicateVoteEvidence::make(a, nil);
    REQUIRE(ev);
    REQUIRE_FALSE(ev->first.blockId.has_value());  // nil sorts first
    REQUIRE(ev->verify(kChain));
    REQUIRE(ev->validator() == sim::TestKey(2).publicKey());
    auto back = decode<DuplicateVoteEvidence>(encode(*ev));
    REQUIRE(back);
    REQUIRE(*back == *ev);
    // Same order either way.
    REQUIRE(*DuplicateVoteEvidence::make(nil, a) == *ev);
    // Out of order on the wire.
    Writer w;
    a.encodeTo(w);
    nil.encodeTo(w);
    REQUIRE(decode<DuplicateVoteEvidence>(w.data()).error().code == CodecError::NotSorted);
    // Not duplicates: other validator, other round, other type, same value.
    REQUIRE(DuplicateVoteEvidence::make(a, signedVote(3, VoteType::Prevote, 4, 0, std::nullopt)).error() ==
            EvidenceError::NotDuplicate);
    REQUIRE(DuplicateVoteEvidence::make(a, signedVote(2, VoteType::Prevote, 4, 1, std::nullopt)).error() ==
            EvidenceError::NotDuplicate);
    REQUIRE(DuplicateVoteEvidence::make(a, signedVote(2, VoteType::Precommit, 4, 0, std::nullopt)).error() ==
            EvidenceError::NotDuplicate);
    REQUIRE(DuplicateVoteEvidence::make(a, a).error() == EvidenceError::NotDuplicate);
    // A forged second vote fails verification.
    DuplicateVoteEvidence forged = *ev;
    forged.second.signature = forged.first.signature;
    REQUIRE(forged.verify(kChain).error() == EvidenceError::BadSignature);
}

TEST_CASE("signer state, chain state and WAL inputs round-trip through the codec", "[wire][persist]") {
    using namespace agora::consensus;
    SignerState empty;
    REQUIRE(*decode<SignerState>(encode(empty)) == empty);
    SignerState s{12, 3, 2, idOf("x")};
    REQUIRE(*decode<SignerState>(encode(s)) == s);
    SignerState noDigest{12, 3, 2, std::nullopt};
    REQUIRE(decode<SignerState>(encode(noDigest)).error().code == CodecError::InvalidValue);
    SignerState badStep{12, 3, 4, idOf("x")};
    REQUIRE(decode<SignerState>(encode(badStep)).error().code == CodecError::InvalidEnum);

    std::vector<ValidatorUpdate> members;
    for (std::size_t i = 0; i < 3; ++i) members.push_back({sim::TestKey(i).publicKey(), 10 + i});
    ChainState cs = ChainState::genesis(*ValidatorSet::fromUpdates(members));
    CommitCertificate cert;
    cert.height = 1;
    cert.blockId = idOf("b1");
    const Vote v = signedVote(0, VoteType::Precommit, 1, 0, cert.blockId);
    cert.signatures = {{v.validator, v.signature}};
    cs = cs.next(cert, {ValidatorUpdate{sim::TestKey(5).publicKey(), 7}}, 3);
    REQUIRE(cs.pending.size() == 1);
    auto back = decode<ChainState>(encode(cs));
    REQUIRE(back);
    REQUIRE(*back == cs);

    const std::vector<Input> inputs = {
        Input{1, VoteReceived{v}},
        Input{2, TimeoutFired{4, 1, Step::Prevote}},
        Input{3, BlockReady{4, 0, idOf("blk"), {9, 9}}},
        Input{4, BlockValidated{4, idOf("blk"), true}},
        Input{5, OwnVoteSigned{v}},
        Input{6, BlockFinalized{4, {ValidatorUpdate{sim::TestKey(1).publicKey(), 0}}}},
    };
    for (const auto& in : inputs) {
        auto decoded = decode<Input>(encode(in));
        REQUIRE(decoded);
        REQUIRE(*decoded == in);
    }
    Bytes unknown = encode(inputs[1]);
    unknown[8] = 99;
    REQUIRE(decode<Input>(unknown).error().code == CodecError::UnknownTag);
}
