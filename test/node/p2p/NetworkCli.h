#pragma once
// The `agora` CLI against a ValidatorNetwork, with the network's demo keyring:
// txs through node 0 (waited for), queries on any node, as JSON.

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ValidatorNetwork.h"

#ifndef AGORA_CLI_BINARY
#error "AGORA_CLI_BINARY must name the agora executable (test/CMakeLists.txt)"
#endif

namespace agora::test {

struct Cli {
    ValidatorNetwork& net;
    int calls = 0;

    // agora with the network's demo keyring against node i; exit code and first output line.
    std::pair<int, std::string> run(std::size_t i, std::vector<std::string> args) {
        std::vector<std::string> full = {AGORA_CLI_BINARY,
                                         "--keyring-dir",
                                         net.keyringDir(),
                                         "--passphrase-file",
                                         net.passphraseFile(),
                                         "--node",
                                         "127.0.0.1:" + std::to_string(net.member(i).grpcPort)};
        full.insert(full.end(), args.begin(), args.end());
        const std::string log = net.logPath(i) + ".cli" + std::to_string(++calls);
        const int rc = runToExit(full, log, std::chrono::seconds(60));
        std::ifstream in(log);
        std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        return {rc, out};
    }
    std::string address(const std::string& key) {
        auto [rc, out] = run(0, {"keys", "show", key, "-a"});
        REQUIRE(rc == 0);
        return out.substr(0, out.find('\n'));
    }
    // A tx through node 0, waited for; REQUIREs result code 0. Fees summed per key.
    std::map<std::string, std::uint64_t> fees;
    nlohmann::json tx(std::vector<std::string> args, const std::string& from) {
        auto [rc, out] = txResult(std::move(args), from);
        INFO(out);
        REQUIRE(rc == 0);
        nlohmann::json j = nlohmann::json::parse(out.substr(0, out.find('\n')));
        REQUIRE(j["code"] == 0);
        fees[from] += u64(j["fee_charged"]);
        return j;
    }
    // As tx, but returns the exit code and the output whatever they are.
    std::pair<int, std::string> txResult(std::vector<std::string> args, const std::string& from) {
        args.insert(args.begin(), "tx");
        args.insert(args.end(), {"--from", from, "--wait", "-o", "json"});
        return run(0, args);
    }
    nlohmann::json query(std::size_t i, std::vector<std::string> args) {
        args.insert(args.begin(), "query");
        args.insert(args.end(), {"-o", "json"});
        auto [rc, out] = run(i, args);
        INFO("node" << i << ": " << out);
        REQUIRE(rc == 0);
        return nlohmann::json::parse(out.substr(0, out.find('\n')));
    }
    static std::string attr(const nlohmann::json& result, const std::string& type, const std::string& key) {
        for (const auto& e : result["events"])
            if (e["type"] == type) return e["attributes"][key].get<std::string>();
        FAIL("no " << type << " event in " << result.dump());
        return {};
    }
    static std::uint64_t u64(const nlohmann::json& amount) {
        REQUIRE(amount.is_string());
        return std::stoull(amount.get<std::string>());
    }
};

}  // namespace agora::test
