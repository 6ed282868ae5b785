// `agora tx gov submit --change NAME=VALUE`: the CLI keeps no list of ledger
// parameters (it links no ledger code). A value that is not a decimal number
// is refused before anything is signed or asked; names are checked against
// the node's `query params` when the node is asked anyway, and offline
// signing asks nothing (the node refuses an unknown name at admission). The
// online name check against a running node is in
// test/node/p2p/GovernanceProcessTest.cpp.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "node/cli/CliFixture.h"

using namespace agora::test::cli;

namespace {

// Nothing listens there: a command that asked the node would fail.
constexpr const char* kNoNode = "127.0.0.1:1";

RunResult govSubmit(const CliFixture& fx, const std::string& change, const std::vector<std::string>& extra) {
    std::vector<std::string> args{"tx",
                                  "gov",
                                  "submit",
                                  "--change",
                                  change,
                                  "--deposit",
                                  "1000agr",
                                  "--from",
                                  "alice",
                                  "--node",
                                  kNoNode,
                                  "--keyring-dir",
                                  fx.keyring().string(),
                                  "--passphrase-file",
                                  fx.passFile().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return fx.run(args);
}

}  // namespace

TEST_CASE("agora tx gov submit refuses a value that is not a decimal number before asking the node", "[cli][tx][gov]") {
    CliFixture fx;
    REQUIRE(fx.keys({"add", "alice"}).exitCode == 0);
    requireUserError(govSubmit(fx, "min_fee=1.5", {}), "--change min_fee: '1.5' is not a decimal number");
    requireUserError(govSubmit(fx, "min_fee=007", {}), "is not a decimal number");
    requireUserError(govSubmit(fx, "min_fee=18446744073709551616", {}), "is not a decimal number");
}

TEST_CASE("agora tx gov submit signed offline asks no node, so an unknown name is left to the node's admission",
          "[cli][tx][gov]") {
    CliFixture fx;
    REQUIRE(fx.keys({"add", "alice"}).exitCode == 0);
    const RunResult r = govSubmit(fx, "no_such_param=18446744073709551615",
                                  {"--generate-only", "--chain-id", "gov-cli", "--nonce", "3", "-o", "json"});
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    REQUIRE(r.exitCode == 0);
    const auto signedTx = nlohmann::json::parse(r.out.substr(0, r.out.find('\n')));
    CHECK(signedTx["chain_id"] == "gov-cli");
    CHECK(signedTx["nonce"] == 3);
    CHECK(!signedTx["tx"].get<std::string>().empty());
}

TEST_CASE("agora tx gov submit signed online asks the node for the parameter names", "[cli][tx][gov]") {
    CliFixture fx;
    REQUIRE(fx.keys({"add", "alice"}).exitCode == 0);
    // Chain id given, nonce not: the node is asked (here: unreachable) before signing.
    requireUserError(govSubmit(fx, "min_fee=2000", {"--generate-only", "--chain-id", "gov-cli"}),
                     std::string("node ") + kNoNode + " unreachable");
}
