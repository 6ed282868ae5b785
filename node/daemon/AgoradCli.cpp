#include "node/daemon/AgoradCli.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <thread>

#include "consensus/state/Sandbox.h"
#include "node/config/NodeConfig.h"
#include "node/consensus/SignerStateFile.h"
#include "node/daemon/HomeLayout.h"
#include "node/daemon/KeyFile.h"
#include "node/daemon/Logging.h"
#include "node/daemon/Node.h"
#include "node/genesis/GenesisFile.h"
#include "wallet/AtomicFile.h"

namespace agora::node {
namespace {

struct UserError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::uint64_t nowMs() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

struct InitOptions {
    std::string moniker;
    std::string chainId;
    std::vector<std::string> fund;  // ADDRESS=AMOUNT
    std::string stake = "1000000000000";
    bool overwrite = false;
};

void runInit(const HomeLayout& home, const InitOptions& o, std::ostream& out) {
    std::error_code ec;
    if (std::filesystem::exists(home.genesisFile(), ec) && !o.overwrite)
        throw UserError(home.genesisFile().string() + " exists; pass --overwrite to replace the config and genesis");
    std::filesystem::create_directories(home.configDir(), ec);
    if (ec) throw UserError("cannot create " + home.configDir().string() + ": " + ec.message());
    std::filesystem::create_directories(home.dataDir(), ec);

    NodeConfig cfg;
    cfg.moniker = o.moniker;
    if (auto bad = NodeConfig::parse("moniker = \"" + o.moniker + "\""); !bad) throw UserError(bad.error());

    // Keys are created once and kept on re-init: losing a validator key loses the validator.
    if (!std::filesystem::exists(home.nodeKeyFile(), ec)) {
        if (auto w = writeKeyFile(home.nodeKeyFile(), wallet::SecretKey::generate(), KeyFileKind::Node); !w)
            throw UserError(w.error());
    }
    if (!std::filesystem::exists(home.validatorKeyFile(), ec)) {
        if (auto w = writeKeyFile(home.validatorKeyFile(), wallet::SecretKey::generate(), KeyFileKind::Validator); !w)
            throw UserError(w.error());
    }
    auto validatorKey = loadKeyFile(home.validatorKeyFile());
    if (!validatorKey) throw UserError(validatorKey.error());

    GenesisDoc doc;
    doc.genesis.chainId = o.chainId;
    doc.genesisTimeMs = nowMs();
    auto stake = Amount::parse(o.stake);
    if (!stake) throw UserError("--stake must be an amount of uagr");
    doc.genesis.params.minSelfStake = std::min(doc.genesis.params.minSelfStake, *stake);
    const PublicKey pub = validatorKey->publicKey();
    doc.genesis.validators.push_back({Address::fromPublicKey(pub), pub, o.moniker, 0, *stake});
    for (const auto& f : o.fund) {
        const auto eq = f.find('=');
        if (eq == std::string::npos) throw UserError("--fund takes ADDRESS=AMOUNT, got '" + f + "'");
        auto addr = Address::fromBech32(f.substr(0, eq));
        if (!addr) throw UserError("--fund " + f + ": " + std::string(errorName(addr.error())));
        auto amt = Amount::parse(f.substr(eq + 1));
        if (!amt) throw UserError("--fund " + f + ": bad amount");
        doc.genesis.accounts.push_back({*addr, *amt});
    }
    // Validate now, so a bad genesis fails at init rather than at start.
    state::MemoryState scratch;
    if (auto ok = contracts::initGenesis(scratch, doc.genesis); !ok) throw UserError("genesis: " + ok.error().message);

    auto writeText = [&](const std::filesystem::path& p, const std::string& text) {
        auto w = wallet::writeFileAtomic(p, text, wallet::WriteMode::Replace);
        if (!w) throw UserError(p.string() + ": " + w.error().message());
    };
    writeText(home.configFile(), cfg.toToml());
    writeText(home.genesisFile(), doc.prettyJson());
    out << "initialised " << home.root.string() << " for chain " << o.chainId << "\n"
        << "validator " << Address::fromPublicKey(pub).toBech32(kValidatorPrefix) << " consensus key " << pub.toHex()
        << "\n";
}

void runUnsafeReset(const HomeLayout& home, std::ostream& out) {
    std::error_code ec;
    std::filesystem::remove_all(home.databaseDir(), ec);
    if (ec) throw UserError("cannot remove " + home.databaseDir().string() + ": " + ec.message());
    std::filesystem::remove(home.walFile(), ec);
    std::filesystem::create_directories(home.dataDir(), ec);
    if (auto ok = SignerStateFile(home.signerStateFile()).reset(); !ok) throw UserError(ok.error());
    out << "removed all blocks, state and consensus data under " << home.dataDir().string() << "\n";
}

int runStart(const HomeLayout& home, const std::string& logFormat, const std::string& logLevel, std::ostream& err) {
    auto cfg = NodeConfig::load(home.configFile());
    if (!cfg) throw UserError(cfg.error());
    if (!logFormat.empty()) cfg->log.format = logFormat;
    if (!logLevel.empty()) cfg->log.level = logLevel;
    setupLogging(cfg->log.level, cfg->log.format);
    // Block the shutdown signals in every thread; one thread waits for them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    auto node = Node::open(home);
    if (!node) throw UserError(node.error());
    if (auto ok = (*node)->start(); !ok) {
        err << "Error: " << ok.error() << "\n";
        return 2;
    }
    Node* n = node->get();
    std::thread waiter([n, signals] {
        int sig = 0;
        sigwait(&signals, &sig);
        spdlog::info("signal {}, shutting down", sig);
        n->stop();
    });
    auto fatal = n->wait();
    n->stop();
    // Wake the signal thread if we stopped for another reason.
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
    node->reset();
    if (fatal) {
        err << "Error: node stopped: " << *fatal << "\n";
        return 2;
    }
    spdlog::info("stopped cleanly");
    return 0;
}

}  // namespace

int runAgorad(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    CLI::App app("agorad: the Agora full node", "agorad");
    app.require_subcommand(1);
    std::string homeDir = HomeLayout::defaultHome().string();
    app.add_option("--home", homeDir, "Node home directory")->envname("AGORA_HOME")->capture_default_str();

    InitOptions init;
    auto* initCmd = app.add_subcommand("init", "Create the home directory: config, keys and a one-validator genesis");
    initCmd->add_option("moniker", init.moniker, "Name of this node")->required();
    initCmd->add_option("--chain-id", init.chainId, "Chain id")->required()->envname("AGORA_CHAIN_ID");
    initCmd->add_option("--fund", init.fund, "Genesis account ADDRESS=AMOUNT (uagr); repeatable");
    initCmd->add_option("--stake", init.stake, "Self-stake of this validator at genesis, uagr")->capture_default_str();
    initCmd->add_flag("--overwrite", init.overwrite, "Replace an existing config and genesis (keys are kept)");

    auto* startCmd = app.add_subcommand("start", "Run the node until SIGINT or SIGTERM");
    std::string logFormat;
    std::string logLevel;
    startCmd->add_option("--log-format", logFormat, "text or json (overrides log.format)")
        ->check(CLI::IsMember({"text", "json"}))
        ->envname("AGORA_LOG_FORMAT");
    startCmd->add_option("--log-level", logLevel, "trace, debug, info, warn or error (overrides log.level)")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
        ->envname("AGORA_LOG_LEVEL");
    auto* resetCmd = app.add_subcommand("unsafe-reset", "Delete all blocks, state, WAL and signer state (keeps keys, config, genesis)");

    try {
        app.parse(argc, argv);
        const HomeLayout home(homeDir);
        if (initCmd->parsed()) {
            runInit(home, init, out);
            return 0;
        }
        if (resetCmd->parsed()) {
            runUnsafeReset(home, out);
            return 0;
        }
        if (startCmd->parsed()) return runStart(home, logFormat, logLevel, err);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e, out, err);
    } catch (const CLI::ParseError& e) {
        err << "Error: " << e.what() << "\n";
        return 1;
    } catch (const UserError& e) {
        err << "Error: " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        err << "Error: internal: " << e.what() << "\n";
        return 2;
    }
    return 0;
}

}  // namespace agora::node
