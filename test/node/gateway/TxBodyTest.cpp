#include <catch2/catch.hpp>

#include "node/gateway/TxBody.h"

using namespace agora;
using namespace agora::node;

TEST_CASE("POST /v1/txs bodies accept hex and base64 txs with sync or commit mode", "[gateway]") {
    auto hex = parseTxBody(R"({"tx": "00ff10"})", 60'000);
    REQUIRE(hex.hasValue());
    REQUIRE(hex->tx == Bytes{0x00, 0xff, 0x10});
    REQUIRE_FALSE(hex->commit);
    REQUIRE(hex->timeoutMs == 30'000);

    auto b64 = parseTxBody(R"({"tx": "AP8Q", "mode": "commit", "timeout_ms": 5})", 60'000);
    REQUIRE(b64.hasValue());
    REQUIRE(b64->tx == Bytes{0x00, 0xff, 0x10});
    REQUIRE(b64->commit);
    REQUIRE(b64->timeoutMs == 5);

    // "00ff" is valid hex, but the client says it is base64.
    auto forced = parseTxBody(R"({"tx": "00ff", "encoding": "base64"})", 60'000);
    REQUIRE(forced.hasValue());
    REQUIRE(forced->tx == *decodeBase64("00ff"));

    auto capped = parseTxBody(R"({"tx": "00", "mode": "commit", "timeout_ms": 999999})", 60'000);
    REQUIRE(capped.hasValue());
    REQUIRE(capped->timeoutMs == 60'000);
}

TEST_CASE("POST /v1/txs bodies reject every malformed shape with a message naming the field", "[gateway]") {
    for (const char* bad :
         {"", "[]", "{", R"({"tx": 1})", R"({"tx": ""})", R"({"tx": "!!"})", R"({"tx": "00", "mode": "later"})",
          R"({"tx": "00", "encoding": "b32"})", R"({"tx": "00", "timeout_ms": 0})", R"({"tx": "00", "timeout_ms": -1})",
          R"({"tx": "00", "extra": true})", R"({"tx": "zz", "encoding": "hex"})"}) {
        INFO(bad);
        auto r = parseTxBody(bad, 60'000);
        REQUIRE_FALSE(r.hasValue());
        REQUIRE_FALSE(r.error().empty());
    }
}

TEST_CASE("base64 decoding follows RFC 4648 with optional padding", "[gateway]") {
    REQUIRE(decodeBase64("") == Bytes{});
    REQUIRE(decodeBase64("Zg==") == Bytes{'f'});
    REQUIRE(decodeBase64("Zg") == Bytes{'f'});
    REQUIRE(decodeBase64("Zm9v") == Bytes{'f', 'o', 'o'});
    REQUIRE(decodeBase64("+/+/") == Bytes{0xfb, 0xff, 0xbf});
    REQUIRE_FALSE(decodeBase64("Z").has_value());
    REQUIRE_FALSE(decodeBase64("Zm9v-").has_value());
}
