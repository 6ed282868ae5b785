// The [grpc] per-connection limit keys: parsed strictly from config.toml and
// carried unchanged into the server options (the process tests in
// ConnectionLimitsProcessTest.cpp check what the server then does).
#include <catch2/catch.hpp>

#include "node/config/NodeConfig.h"
#include "node/rpc/GrpcServer.h"

using namespace agora::node;

TEST_CASE("grpc per-connection limit keys parse from config.toml and reach the server options", "[rpc][config]") {
    auto cfg = NodeConfig::parse(R"([grpc]
max_metadata_bytes = 4096
max_connection_idle_ms = 1500
max_connection_age_ms = 600000
max_connection_age_grace_ms = 2000
keepalive_time_ms = 30000
keepalive_timeout_ms = 5000
keepalive_min_client_interval_ms = 10000
keepalive_max_ping_strikes = 0
keepalive_permit_without_calls = true
)");
    REQUIRE(cfg.hasValue());
    const auto o = GrpcServerOptions::fromConfig(cfg->grpc);
    REQUIRE(o.maxMetadataBytes == 4096);
    REQUIRE(o.maxConnectionIdleMs == 1500);
    REQUIRE(o.maxConnectionAgeMs == 600000);
    REQUIRE(o.maxConnectionAgeGraceMs == 2000);
    REQUIRE(o.keepaliveTimeMs == 30000);
    REQUIRE(o.keepaliveTimeoutMs == 5000);
    REQUIRE(o.keepaliveMinClientIntervalMs == 10000);
    REQUIRE(o.keepaliveMaxPingStrikes == 0);
    REQUIRE(o.keepalivePermitWithoutCalls);
    // Defaults: idle and age limits off, gRPC's keepalive policy.
    const auto d = GrpcServerOptions::fromConfig(GrpcConfig{});
    REQUIRE(d.maxConnectionIdleMs == 0);
    REQUIRE(d.maxConnectionAgeMs == 0);
    REQUIRE(d.keepaliveMinClientIntervalMs == 300000);
    REQUIRE(!d.keepalivePermitWithoutCalls);
}

TEST_CASE("grpc limit keys out of range or of the wrong type are config errors naming the key", "[rpc][config]") {
    auto tooFast = NodeConfig::parse("[grpc]\nkeepalive_time_ms = 5\n");
    REQUIRE(!tooFast.hasValue());
    REQUIRE(tooFast.error().find("grpc.keepalive_time_ms") != std::string::npos);
    auto tinyMetadata = NodeConfig::parse("[grpc]\nmax_metadata_bytes = 10\n");
    REQUIRE(!tinyMetadata.hasValue());
    REQUIRE(tinyMetadata.error().find("grpc.max_metadata_bytes") != std::string::npos);
    auto notBool = NodeConfig::parse("[grpc]\nkeepalive_permit_without_calls = 1\n");
    REQUIRE(!notBool.hasValue());
    REQUIRE(notBool.error().find("grpc.keepalive_permit_without_calls") != std::string::npos);
}
