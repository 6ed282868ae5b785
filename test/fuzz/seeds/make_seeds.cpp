// Writes the seed corpora of the fuzz targets (test/fuzz/corpus/<target>/)
// from the same sample values the unit tests use. Run by hand after a format
// change: build-fuzz/test/fuzz/make_seeds test/fuzz/corpus
// (docs/fuzzing.md). Outputs are deterministic (BIP-340 with zero aux
// randomness), so re-running leaves the tree unchanged.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "agora/p2p/v1/p2p.pb.h"
#include "agora/p2p/v1/sync.pb.h"
#include "agora/provider/v1/gateway.pb.h"
#include "consensus/core/Block.h"
#include "consensus/core/Evidence.h"
#include "consensus/core/Proposal.h"
#include "consensus/core/Tx.h"
#include "consensus/core/Vote.h"
#include "consensus/engine/Input.h"
#include "consensus/state/Event.h"
#include "consensus/state/MerkleProof.h"
#include "consensus/state/TreeNode.h"
#include "contracts/Bank.h"
#include "contracts/Leases.h"
#include "contracts/Market.h"
#include "contracts/Params.h"
#include "contracts/Providers.h"
#include "contracts/Reputation.h"
#include "contracts/Staking.h"
#include "node/config/NodeConfig.h"
#include "node/consensus/FileWal.h"
#include "node/daemon/PlainKeyFile.h"
#include "node/genesis/GenesisFile.h"
#include "node/provider/ProviderConfig.h"
#include "test/support/SampleMessages.h"
#include "test/support/TestKeys.h"
#include "wallet/KeyFile.h"
#include "wallet/KeyMaterial.h"
#include "wallet/Mnemonic.h"

namespace fs = std::filesystem;
using namespace agora;

namespace {
fs::path root;

void put(const std::string& target, const std::string& name, const std::string& bytes) {
    const fs::path dir = root / target;
    fs::create_directories(dir);
    std::ofstream(dir / name, std::ios::binary) << bytes;
}
void put(const std::string& target, const std::string& name, const Bytes& bytes) {
    put(target, name, std::string(bytes.begin(), bytes.end()));
}
std::string str(const Bytes& b) {
    return std::string(b.begin(), b.end());
}

constexpr std::string_view kChain = "agora-devnet-1";

Vote signedVote(std::uint8_t keyN, VoteType type, std::uint64_t height, std::optional<Hash256> block) {
    const auto key = test::testKey(keyN);
    Vote v;
    v.type = type;
    v.height = height;
    v.round = 0;
    v.blockId = block;
    v.validator = key.publicKey;
    v.signature = test::signDigest32(key, v.signDigest(kChain));
    return v;
}

Proposal signedProposal(const Block& block) {
    const auto key = test::testKey(3);
    Proposal p;
    p.height = block.header.height;
    p.round = 1;
    p.polRound = 0;
    p.block = encode(block);
    p.blockId = block.id();
    p.proposer = key.publicKey;
    p.signature = test::signDigest32(key, p.signDigest(kChain));
    return p;
}

std::vector<SignedTx> sampleTxs() {
    std::vector<SignedTx> txs;
    std::uint64_t nonce = 0;
    for (const Msg& m : test::sampleMessages()) {
        Tx tx;
        tx.chainId = std::string(kChain);
        tx.nonce = nonce++;
        tx.fee = Amount(1000);
        tx.memo = nonce % 3 == 0 ? "seed" : "";
        tx.msgs = {m};
        txs.push_back(test::signTx(test::testKey(1), tx));
    }
    return txs;
}
}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: make_seeds <corpus dir>\n";
        return 2;
    }
    root = argv[1];

    // Messages, txs.
    const auto msgs = test::sampleMessages();
    for (std::size_t i = 0; i < msgs.size(); ++i) {
        Writer w;
        encodeMsg(w, msgs[i]);
        put("decode_msg", std::string(msgTypeName(msgType(msgs[i]))), w.data());
    }
    const auto txs = sampleTxs();
    for (std::size_t i = 0; i < txs.size(); i += 4) {
        put("decode_tx_body", "tx" + std::to_string(i), encode(txs[i].body));
        put("decode_signed_tx", "tx" + std::to_string(i), txs[i].bytes());
    }

    // Votes, evidence, certificates, blocks, proposals.
    const Hash256 a = sha256(asBytes("block a"));
    const Hash256 b = sha256(asBytes("block b"));
    const Vote prevote = signedVote(2, VoteType::Prevote, 7, a);
    const Vote nilVote = signedVote(2, VoteType::Precommit, 7, std::nullopt);
    put("decode_vote", "prevote", encode(prevote));
    put("decode_vote", "nil_precommit", encode(nilVote));
    const auto evidence = DuplicateVoteEvidence::make(prevote, signedVote(2, VoteType::Prevote, 7, b)).value();
    put("decode_evidence", "duplicate_prevote", encode(evidence));

    CommitCertificate cert;
    cert.height = 6;
    cert.blockId = a;
    for (std::uint8_t k : {1, 2, 4}) {
        Vote v = signedVote(k, VoteType::Precommit, 6, a);
        cert.signatures.push_back({v.validator, v.signature});
    }
    std::sort(cert.signatures.begin(), cert.signatures.end(),
              [](const CommitSignature& x, const CommitSignature& y) { return x.validator < y.validator; });
    put("decode_commit_certificate", "three_signers", encode(cert));

    Block block;
    block.header.chainId = std::string(kChain);
    block.header.height = 7;
    block.header.timeMs = 1'790'000'000'000ULL;
    block.header.lastBlockId = a;
    for (std::size_t i = 0; i < 3; ++i) block.txs.push_back(txs[i].bytes());
    block.lastCommit = cert;
    block.evidence.push_back(evidence);
    block.sealContentHashes();
    put("decode_block", "with_txs_commit_evidence", encode(block));
    put("decode_block_header", "height7", encode(block.header));
    Block empty;
    empty.header.chainId = std::string(kChain);
    empty.header.height = 1;
    empty.sealContentHashes();
    put("decode_block", "empty_height1", encode(empty));
    put("decode_block_header", "height1", encode(empty.header));
    const Proposal proposal = signedProposal(block);
    put("decode_proposal", "height7", encode(proposal));

    auto set = ValidatorSet::create({{test::testKey(1).publicKey, 100, 0}, {test::testKey(2).publicKey, 50, 0}});
    if (set) put("decode_validator_set", "two", encode(*set));

    // Consensus inputs and the WAL file that holds them.
    std::vector<consensus::Input> inputs = {
        {1000, consensus::ProposalReceived{proposal}},
        {1001, consensus::VoteReceived{prevote}},
        {1002, consensus::TimeoutFired{7, 0, consensus::Step::Prevote}},
        {1003, consensus::BlockReady{7, 0, block.id(), encode(block)}},
        {1004, consensus::BlockValidated{7, block.id(), true}},
        {1005, consensus::OwnVoteSigned{nilVote}},
        {1006, consensus::BlockFinalized{7, {{test::testKey(4).publicKey, 10}}}},
    };
    std::string wal;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const Bytes payload = encode(inputs[i]);
        put("decode_consensus_input", "input" + std::to_string(i), payload);
        const std::uint32_t len = static_cast<std::uint32_t>(payload.size());
        const std::uint32_t crc = node::crc32c(payload);
        for (int s = 24; s >= 0; s -= 8) wal += static_cast<char>((len >> s) & 0xff);
        for (int s = 24; s >= 0; s -= 8) wal += static_cast<char>((crc >> s) & 0xff);
        wal += str(payload);
    }
    // wal_file's first byte picks raw (even) or framed-by-the-target (odd) input.
    put("wal_file", "seven_records", std::string(1, '\0') + wal);
    put("wal_file", "torn_tail", std::string(1, '\0') + wal.substr(0, wal.size() - 5));
    std::string pieces = "\x01";
    for (const auto& input : inputs) {
        const Bytes payload = encode(input);
        pieces += static_cast<char>(payload.size() >> 8);
        pieces += static_cast<char>(payload.size() & 0xff);
        pieces += str(payload);
    }
    put("wal_file", "framed_pieces", pieces + std::string("\0\x05torn!", 7));

    // State: events, proofs, tree nodes, ledger records.
    state::Event ev("lease_created");
    ev.add("lease_id", 42).add("provider", test::sampleAddress(3).toBech32());
    put("decode_event", "lease_created", encode(ev));
    state::MerkleProof proof;
    proof.terminal = state::ProofTerminal::OtherLeaf;
    proof.otherKeyHash = a;
    proof.otherValueHash = b;
    proof.siblings = {a, b, a};
    put("decode_merkle_proof", "other_leaf", encode(proof));
    state::MerkleProof present;
    present.terminal = state::ProofTerminal::KeyLeaf;
    present.siblings = {b};
    put("decode_merkle_proof", "key_leaf", encode(present));
    put("decode_tree_node", "leaf", encode(state::TreeNode{state::LeafNode{a, Bytes{1, 2, 3}}}));
    put("decode_tree_node", "internal",
        encode(state::TreeNode{state::InternalNode{{state::NodeKind::Leaf, 3, a}, {state::NodeKind::Internal, 5, b}}}));
    {
        using namespace contracts;
        auto rec = [&](std::uint8_t tag, const std::string& name, const Bytes& body) {
            Bytes in{tag};
            in.insert(in.end(), body.begin(), body.end());
            put("decode_ledger_record", name, in);
        };
        rec(0, "account", encode(Account{}));
        rec(1, "supply", encode(Supply{}));
        rec(2, "lease", encode(Lease{}));
        rec(3, "usage", encode(UsageRecord{}));
        rec(4, "job", encode(Job{}));
        rec(5, "bid", encode(Bid{}));
        rec(6, "params", encode(Params{}));
        rec(7, "provider", encode(Provider{}));
        rec(8, "reputation", encode(ProviderReputation{}));
        rec(9, "client", encode(ClientRecord{}));
        rec(10, "validator", encode(contracts::Validator{}));
        rec(11, "delegation", encode(Delegation{}));
        rec(12, "unbonding", encode(UnbondingEntry{}));
        rec(13, "offer", encode(Offer{}));
    }

    // p2p and sync protobufs.
    {
        p2p::v1::Envelope e;
        e.set_vote(str(encode(prevote)));
        put("p2p_envelope", "vote", e.SerializeAsString());
        e.set_proposal(str(encode(proposal)));
        put("p2p_envelope", "proposal", e.SerializeAsString());
        e.set_tx(str(txs[0].bytes()));
        put("p2p_envelope", "tx", e.SerializeAsString());
        e.set_evidence(str(encode(evidence)));
        put("p2p_envelope", "evidence", e.SerializeAsString());
        e.mutable_tx_batch()->add_txs(str(txs[1].bytes()));
        e.mutable_tx_batch()->add_txs(str(txs[2].bytes()));
        put("p2p_envelope", "tx_batch", e.SerializeAsString());
        e.mutable_pex_addresses()->add_peers(std::string(40, 'a') + "@127.0.0.1:26656");
        put("p2p_envelope", "pex", e.SerializeAsString());
        e.mutable_status()->set_height(7);
        put("p2p_envelope", "status", e.SerializeAsString());
        auto* hello = e.mutable_hello();
        hello->set_chain_id(std::string(kChain));
        const auto nodeKey = test::testKey(5).publicKey;
        hello->set_node_key(std::string(nodeKey.bytes().begin(), nodeKey.bytes().end()));
        hello->set_protocol_version(3);
        hello->set_ephemeral_key(std::string(32, 'e'));
        put("p2p_envelope", "hello", e.SerializeAsString());
        e.mutable_sealed()->set_counter(1);
        e.mutable_sealed()->set_box(std::string(40, 's'));
        put("p2p_envelope", "sealed", e.SerializeAsString());
        p2p::v1::SyncedBlock sb;
        sb.set_height(7);
        sb.set_block(str(encode(block)));
        sb.set_commit_certificate(str(encode(cert)));
        put("sync_block", "height7", sb.SerializeAsString());
    }

    // Text formats.
    put("node_config_toml", "default", node::NodeConfig{}.toToml());
    put("provider_config_toml", "default", provider::renderProviderConfig(provider::ProviderConfig{}));
    {
        node::GenesisDoc d;
        d.genesisTimeMs = 1'790'000'000'000ULL;
        d.genesis.chainId = std::string(kChain);
        const auto k1 = test::testKey(1);
        d.genesis.accounts.push_back({Address::fromPublicKey(k1.publicKey), Amount(5'000'000'000)});
        d.genesis.validators.push_back({Address::fromPublicKey(k1.publicKey), test::testKey(2).publicKey, "val-0", 500,
                                        d.genesis.params.minSelfStake});
        put("genesis_json", "one_validator", d.prettyJson());
        put("genesis_json", "canonical", d.canonicalJson());
    }
    const std::string phrase12 =
        "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
    put("mnemonic", "twelve", phrase12);
    put("mnemonic", "twentyfour",
        "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal "
        "winner thank year wave sausage worth title");
    {
        auto m = wallet::Mnemonic::parse(phrase12).value();
        auto material = wallet::KeyMaterial::fromMnemonic(m);
        if (material) {
            auto f = wallet::KeyFile::encrypt(*material, "pass", wallet::KdfParams{2, 1, 1});
            if (f) put("key_file", "logn2", f->toJson());
        }
    }
    {
        fs::create_directories(root / "plain_key_file");
        const fs::path path = root / "plain_key_file" / "node_key";
        std::error_code ec;
        fs::remove(path, ec);
        auto key = wallet::SecretKey::fromHex(std::string(63, '0') + "7");
        if (key) (void)node::writeKeyFile(path, *key, node::KeyFileKind::Validator);
    }
    put("derivation_path", "cosmos", "m/44'/118'/0'/0/0");
    put("derivation_path", "short", "m/0");
    put("amount", "micro", "1500000");
    put("amount", "uagr", "42uagr");
    put("amount", "agr", "1.5agr");
    put("bech32", "account", test::sampleAddress(1).toBech32());
    put("bech32", "validator", test::sampleAddress(2).toBech32(kValidatorPrefix));
    put("bech32", "bip173", "A12UEL5L");
    put("http_query_params", "filters", "attr=gpu%3Da100&attr=region%3Deu&limit=10&page_token=abc+def");
    put("http_request", "get_providers",
        "GET /v1/providers?attr=region%3Deu&limit=5 HTTP/1.1\r\nHost: x\r\nOrigin: http://a\r\n\r\n");
    put("http_request", "get_job", "GET /v1/jobs/42/bids HTTP/1.1\r\nHost: x\r\n\r\n");
    put("http_request", "post_tx",
        "POST /v1/txs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
        "13\r\n\r\n{\"tx\":\"00\"}\r\n");
    put("http_request", "chunked",
        "POST /v1/txs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n");
    put("http_tx_body", "hex",
        "{\"tx\": \"" + toHex(txs[0].bytes()) + "\", \"mode\": \"commit\", \"timeout_ms\": 5000}");
    put("http_tx_body", "base64", "{\"tx\": \"AAEC\", \"encoding\": \"base64\"}");
    put("ws_subscription", "subscribe",
        "{\"op\":\"subscribe\",\"id\":\"s1\",\"filter\":{\"types\":[\"lease_created\"],\"attributes\":{\"provider\":"
        "\"x\"}},"
        "\"from_height\":3}");
    put("ws_subscription", "unsubscribe", "{\"op\":\"unsubscribe\",\"id\":\"s1\"}");
    put("signer_state_file", "with_digest", "{\"height\":7,\"round\":1,\"step\":2,\"digest\":\"" + a.toHex() + "\"}\n");
    put("signer_state_file", "initial", "{\"height\":0,\"round\":0,\"step\":0}\n");
    {
        provider::v1::SendManifestRequest req;
        req.set_lease_id(9);
        req.set_manifest("version: 1\nkind: batch\n");
        req.mutable_auth()->set_public_key(std::string(32, '\x01'));
        req.mutable_auth()->set_timestamp_ms(1'790'000'000'000ULL);
        req.mutable_auth()->set_signature(std::string(64, '\x02'));
        put("gateway_request", "send_manifest", req.SerializeAsString());
    }
    std::cout << "seeds written to " << root << "\n";
    return 0;
}
