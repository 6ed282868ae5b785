// Checks the published vectors of docs/encoding.md (test/data/encoding_vectors.json):
// every message type's bytes and full signed transactions, so a client in
// another language can test its encoder against the same data.
// Regenerate after an intentional format change with
//   AGORA_WRITE_VECTORS=1 build/test/test_core "[vectors]"
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "consensus/core/SignDigest.h"
#include "consensus/core/Tx.h"
#include "support/SampleMessages.h"
#include "support/TestKeys.h"

using namespace agora;
using nlohmann::json;

namespace {

const std::string kPath = std::string(AGORA_TEST_DATA_DIR) + "/encoding_vectors.json";

Bytes encodeOne(const Msg& m) {
    Writer w;
    encodeMsg(w, m);
    return w.take();
}

struct TxVector {
    std::string name;
    std::uint8_t keyByte;
    Tx tx;
};

std::vector<TxVector> txVectors() {
    const auto alice = test::testKey(1);
    const auto bob = test::testKey(2);
    Tx send;
    send.chainId = "agora-devnet-1";
    send.nonce = 0;
    send.fee = Amount(1000);
    send.msgs = {MsgSend{Address::fromPublicKey(bob.publicKey), Amount(1'500'000)}};

    Tx job;
    job.chainId = "agora-devnet-1";
    job.nonce = 7;
    job.fee = Amount(2000);
    job.memo = "render farm";
    job.msgs = {MsgJobCreate{Resources{2000, 4096, 50, {}}, {{"region", "eu-west"}}, Amount(500), 100, 10, 0,
                             Amount(50'000)}};
    return {{"bank send", 1, send}, {"job create with memo", 1, job}};
}

json buildVectors() {
    json out;
    out["messages"] = json::array();
    for (const auto& m : test::sampleMessages())
        out["messages"].push_back({{"type", std::string(msgTypeName(msgType(m)))}, {"hex", toHex(encodeOne(m))}});
    out["txs"] = json::array();
    for (const auto& v : txVectors()) {
        const auto key = test::testKey(v.keyByte);
        const SignedTx stx = test::signTx(key, v.tx);
        out["txs"].push_back({
            {"name", v.name},
            {"secret_key", toHex(key.secret)},
            {"public_key", key.publicKey.toHex()},
            {"address", stx.body.signerAddress().toBech32()},
            {"chain_id", stx.body.chainId},
            {"body_hex", toHex(stx.body.bodyBytes())},
            {"sign_digest", stx.body.signDigest().toHex()},
            {"signature_aux_rand", std::string(64, '0')},
            {"signature", stx.signature.toHex()},
            {"signed_tx_hex", toHex(stx.bytes())},
            {"tx_hash", stx.hash().toHex()},
        });
    }
    return out;
}

}  // namespace

TEST_CASE("published encoding vectors match the codec byte for byte", "[vectors]") {
    const json built = buildVectors();
    if (std::getenv("AGORA_WRITE_VECTORS") != nullptr) {
        std::ofstream(kPath) << built.dump(2) << "\n";
    }
    std::ifstream in(kPath);
    REQUIRE(in.good());
    const json stored = json::parse(in);
    REQUIRE(stored["messages"].size() == std::variant_size_v<Msg>);
    REQUIRE(stored == built);

    // Independently of the builder: the stored bytes decode, verify and hash as stated.
    for (const auto& v : stored["txs"]) {
        auto raw = fromHex(v["signed_tx_hex"].get<std::string>()).value();
        auto stx = decodeSignedTx(raw);
        REQUIRE(stx.hasValue());
        REQUIRE(stx->verifySignature());
        REQUIRE(sha256(raw).toHex() == v["tx_hash"]);
        REQUIRE(signDigest(domain::kTx, v["chain_id"].get<std::string>(),
                           fromHex(v["body_hex"].get<std::string>()).value())
                    .toHex() == v["sign_digest"]);
    }
}
