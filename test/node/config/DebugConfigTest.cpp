#include <catch2/catch.hpp>

#include "node/config/NodeConfig.h"

using agora::node::NodeConfig;

TEST_CASE("[debug] check_invariants defaults to false, parses a boolean and rejects anything else", "[config]") {
    REQUIRE_FALSE(NodeConfig::parse("")->debug.checkInvariants);
    auto on = NodeConfig::parse("[debug]\ncheck_invariants = true\n");
    REQUIRE(on.hasValue());
    REQUIRE(on->debug.checkInvariants);
    REQUIRE(NodeConfig::parse(on->toToml())->debug.checkInvariants);
    auto bad = NodeConfig::parse("[debug]\ncheck_invariants = \"yes\"\n");
    REQUIRE_FALSE(bad.hasValue());
    REQUIRE(bad.error() == "config: debug.check_invariants must be true or false");
    auto unknown = NodeConfig::parse("[debug]\ncheck_everything = true\n");
    REQUIRE_FALSE(unknown.hasValue());
    REQUIRE(unknown.error() == "config: unknown key debug.check_everything");
}
