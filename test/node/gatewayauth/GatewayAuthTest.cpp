#include <catch2/catch.hpp>

#include "node/gatewayauth/GatewayAuth.h"
#include "support/TestKeys.h"
#include "wallet/SecretKey.h"

using namespace agora;
using namespace agora::provider;

namespace {
wallet::SecretKey key(std::uint8_t n) {
    const auto k = test::testKey(n);
    auto sk = wallet::SecretKey::fromBytes(ByteSpan(k.secret.data(), k.secret.size()));
    return std::move(sk).value();
}
const Hash256 kBody = sha256(asBytes("version: 1\n"));
}  // namespace

TEST_CASE("a signed gateway request verifies and names its signer", "[provider][gateway]") {
    const auto sk = key(1);
    const auto auth = signGatewayRequest(sk, "chain-a", gateway_kind::kSendManifest, 7, kBody, 1'000'000);
    auto who = verifyGatewayRequest(auth, "chain-a", gateway_kind::kSendManifest, 7, kBody, 1'000'500, 120'000);
    REQUIRE(who.hasValue());
    CHECK(*who == sk.address());
}

TEST_CASE("a gateway signature does not verify for another chain, lease, kind or body", "[provider][gateway]") {
    const auto sk = key(1);
    const auto auth = signGatewayRequest(sk, "chain-a", gateway_kind::kSendManifest, 7, kBody, 1'000'000);
    const std::uint64_t now = 1'000'000;
    CHECK(verifyGatewayRequest(auth, "chain-b", gateway_kind::kSendManifest, 7, kBody, now, 120'000).error() ==
          GatewayAuthError::BadSignature);
    CHECK(verifyGatewayRequest(auth, "chain-a", gateway_kind::kSendManifest, 8, kBody, now, 120'000).error() ==
          GatewayAuthError::BadSignature);
    CHECK(verifyGatewayRequest(auth, "chain-a", gateway_kind::kLeaseStatus, 7, kBody, now, 120'000).error() ==
          GatewayAuthError::BadSignature);
    CHECK(verifyGatewayRequest(auth, "chain-a", gateway_kind::kSendManifest, 7, sha256(asBytes("other")), now, 120'000)
              .error() == GatewayAuthError::BadSignature);
    // A changed timestamp breaks the signature even inside the window.
    auto moved = auth;
    moved.timestampMs += 1;
    CHECK(verifyGatewayRequest(moved, "chain-a", gateway_kind::kSendManifest, 7, kBody, now, 120'000).error() ==
          GatewayAuthError::BadSignature);
}

TEST_CASE("a gateway request outside the time window is refused as expired", "[provider][gateway]") {
    const auto sk = key(2);
    const auto auth = signGatewayRequest(sk, "c", gateway_kind::kLeaseLogs, 1, logsBodyHash("main", 10, true), 500'000);
    CHECK(verifyGatewayRequest(auth, "c", gateway_kind::kLeaseLogs, 1, logsBodyHash("main", 10, true), 620'001, 120'000)
              .error() == GatewayAuthError::Expired);
    CHECK(verifyGatewayRequest(auth, "c", gateway_kind::kLeaseLogs, 1, logsBodyHash("main", 10, true), 379'999, 120'000)
              .error() == GatewayAuthError::Expired);
    CHECK(verifyGatewayRequest(auth, "c", gateway_kind::kLeaseLogs, 1, logsBodyHash("main", 10, true), 620'000, 120'000)
              .hasValue());
}

TEST_CASE("log and event request bodies hash their parameters", "[provider][gateway]") {
    CHECK(logsBodyHash("main", 10, true) != logsBodyHash("main", 10, false));
    CHECK(logsBodyHash("main", 10, true) != logsBodyHash("main", 11, true));
    CHECK(logsBodyHash("main", 10, true) != logsBodyHash("web", 10, true));
    CHECK(eventsBodyHash(true) != eventsBodyHash(false));
    CHECK(statusBodyHash() == sha256(ByteSpan{}));
}

TEST_CASE("a malformed public key is refused as missing auth", "[provider][gateway]") {
    GatewayAuth bad;  // all-zero key is not on the curve
    CHECK(verifyGatewayRequest(bad, "c", gateway_kind::kLeaseStatus, 1, statusBodyHash(), 0, 1000).error() ==
          GatewayAuthError::Missing);
}
