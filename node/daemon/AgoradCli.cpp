#include "node/daemon/AgoradCli.h"

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>
#include <thread>

#include "consensus/state/Sandbox.h"
#include "node/app/GenesisExport.h"
#include "node/base/Logging.h"
#include "node/base/NodeId.h"
#include "node/config/NodeConfig.h"
#include "node/consensus/SignerStateFile.h"
#include "node/daemon/HomeLayout.h"
#include "node/daemon/Node.h"
#include "node/daemon/PlainKeyFile.h"
#include "node/genesis/GenesisFile.h"
#include "node/storage/NodeDatabase.h"
#include "wallet/AtomicFile.h"
#include "wallet/KeyMaterial.h"
#include "wallet/Keyring.h"
#include "wallet/Mnemonic.h"

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
    bool fullNode = false;  // no validator key, no genesis of its own (docs/sync.md)
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
    if (o.fullNode) {
        auto w = wallet::writeFileAtomic(home.configFile(), cfg.toToml(), wallet::WriteMode::Replace);
        if (!w) throw UserError(home.configFile().string() + ": " + w.error().message());
        out << "initialised full node " << home.root.string() << " (no validator key)\n"
            << "next: copy the network's genesis.json to " << home.genesisFile().string()
            << " and set p2p.persistent_peers in " << home.configFile().string() << "\n";
        return;
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

struct TestnetOptions {
    std::size_t validators = 4;
    std::size_t fullNodes = 0;  // homes node<validators>.. without validator keys
    std::string output;
    std::string keyringDir;
    std::string passphraseFile;
    std::string chainId = "agora-testnet-1";
    std::vector<std::string> stakes;  // per validator; default all equal
    std::size_t demoAccounts = 2;
    int grpcBasePort = 9090;
    int p2pBasePort = 26656;
    int httpBasePort = 8080;
};

// N validator homes on 127.0.0.1 with distinct ports sharing one genesis,
// plus demo keys in a keyring usable by `agora`.
void runTestnet(const TestnetOptions& o, std::ostream& out) {
    if (o.validators < 1 || o.validators > 64) throw UserError("--validators must be 1..64");
    if (o.fullNodes > 64) throw UserError("--full-nodes must be 0..64");
    if (!o.stakes.empty() && o.stakes.size() != o.validators)
        throw UserError("--stakes needs one amount per validator");
    const std::filesystem::path dir(o.output);
    std::error_code ec;
    if (std::filesystem::exists(dir / "node0", ec)) throw UserError(dir.string() + " already holds a testnet");
    std::filesystem::create_directories(dir, ec);
    if (ec) throw UserError("cannot create " + dir.string() + ": " + ec.message());

    GenesisDoc doc;
    doc.genesis.chainId = o.chainId;
    doc.genesisTimeMs = nowMs();
    std::vector<std::string> nodeIds;
    for (std::size_t i = 0; i < o.validators; ++i) {
        const HomeLayout home(dir / ("node" + std::to_string(i)));
        std::filesystem::create_directories(home.configDir(), ec);
        std::filesystem::create_directories(home.dataDir(), ec);
        const auto nodeKey = wallet::SecretKey::generate();
        const auto valKey = wallet::SecretKey::generate();
        if (auto w = writeKeyFile(home.nodeKeyFile(), nodeKey, KeyFileKind::Node); !w) throw UserError(w.error());
        if (auto w = writeKeyFile(home.validatorKeyFile(), valKey, KeyFileKind::Validator); !w)
            throw UserError(w.error());
        nodeIds.push_back(nodeIdOf(nodeKey.publicKey()));
        auto stake = Amount::parse(o.stakes.empty() ? "1000agr" : o.stakes[i]);
        if (!stake) throw UserError("--stakes: bad amount '" + o.stakes[i] + "'");
        doc.genesis.params.minSelfStake = std::min(doc.genesis.params.minSelfStake, *stake);
        const PublicKey pub = valKey.publicKey();
        doc.genesis.validators.push_back({Address::fromPublicKey(pub), pub, "node" + std::to_string(i), 0, *stake});
    }

    for (std::size_t i = o.validators; i < o.validators + o.fullNodes; ++i) {
        const HomeLayout home(dir / ("node" + std::to_string(i)));
        std::filesystem::create_directories(home.configDir(), ec);
        std::filesystem::create_directories(home.dataDir(), ec);
        const auto nodeKey = wallet::SecretKey::generate();
        if (auto w = writeKeyFile(home.nodeKeyFile(), nodeKey, KeyFileKind::Node); !w) throw UserError(w.error());
        nodeIds.push_back(nodeIdOf(nodeKey.publicKey()));
    }

    // Demo accounts in a keyring `agora` can use.
    const std::filesystem::path ringDir = o.keyringDir.empty() ? dir / "keyring" : std::filesystem::path(o.keyringDir);
    std::string passphrase = "testnet";
    if (!o.passphraseFile.empty()) {
        auto text = wallet::readSmallFile(o.passphraseFile, 4096);
        if (!text) throw UserError(o.passphraseFile + ": " + text.error().message());
        passphrase = text->substr(0, text->find('\n'));
    } else {
        auto w = wallet::writeFileAtomic(dir / "passphrase.txt", passphrase + "\n", wallet::WriteMode::Replace);
        if (!w) throw UserError(w.error().message());
    }
    wallet::Keyring ring(ringDir);
    for (std::size_t i = 0; i < o.demoAccounts; ++i) {
        const std::string name = i == 0 ? "provider" : (i == 1 ? "client" : "demo" + std::to_string(i));
        auto material = wallet::KeyMaterial::fromMnemonic(wallet::Mnemonic::generate());
        if (!material) throw UserError(material.error().message());
        auto info = ring.add(name, *material, passphrase);
        if (!info) throw UserError("keyring: " + info.error().message());
        doc.genesis.accounts.push_back({info->address, Amount(1'000'000'000'000ULL)});
        out << "demo key " << name << " " << info->address.toBech32() << "\n";
    }
    state::MemoryState scratch;
    if (auto ok = contracts::initGenesis(scratch, doc.genesis); !ok) throw UserError("genesis: " + ok.error().message);

    const std::size_t nodes = o.validators + o.fullNodes;
    for (std::size_t i = 0; i < nodes; ++i) {
        const HomeLayout home(dir / ("node" + std::to_string(i)));
        NodeConfig cfg;
        cfg.moniker = "node" + std::to_string(i);
        cfg.grpc.address = "127.0.0.1:" + std::to_string(o.grpcBasePort + static_cast<int>(i));
        cfg.http.address = "127.0.0.1:" + std::to_string(o.httpBasePort + static_cast<int>(i));
        cfg.p2p.listenAddress = "127.0.0.1:" + std::to_string(o.p2pBasePort + static_cast<int>(i));
        for (std::size_t j = 0; j < nodes; ++j)
            if (j != i)
                cfg.p2p.persistentPeers.push_back(nodeIds[j] +
                                                  "@127.0.0.1:" + std::to_string(o.p2pBasePort + static_cast<int>(j)));
        auto w1 = wallet::writeFileAtomic(home.configFile(), cfg.toToml(), wallet::WriteMode::Replace);
        auto w2 = wallet::writeFileAtomic(home.genesisFile(), doc.prettyJson(), wallet::WriteMode::Replace);
        if (!w1 || !w2) throw UserError("cannot write the config of " + home.root.string());
        out << "node" << i << " " << home.root.string() << " grpc " << cfg.grpc.address << " p2p "
            << cfg.p2p.listenAddress << " id " << nodeIds[i] << (i >= o.validators ? " full-node" : "") << "\n";
    }
    out << "chain " << o.chainId << " genesis hash " << doc.hash().toHex() << "\n";
}

void runUnsafeReset(const HomeLayout& home, std::ostream& out) {
    std::error_code ec;
    std::filesystem::remove_all(home.databaseDir(), ec);
    if (ec) throw UserError("cannot remove " + home.databaseDir().string() + ": " + ec.message());
    std::filesystem::remove(home.walFile(), ec);
    // Snapshots of the old chain must not be served as this one's.
    std::filesystem::remove_all(home.snapshotsDir(), ec);
    std::filesystem::create_directories(home.dataDir(), ec);
    if (auto ok = SignerStateFile(home.signerStateFile()).reset(); !ok) throw UserError(ok.error());
    out << "removed all blocks, state and consensus data under " << home.dataDir().string() << "\n";
}

struct ExportOptions {
    std::string output;  // empty = stdout
    std::optional<std::uint64_t> height;
};

// Reads the database directly, so it needs the node stopped: LevelDB's lock
// refuses a second opener, and that is reported as such.
void runExport(const HomeLayout& home, const ExportOptions& o, std::ostream& out) {
    auto genesis = GenesisDoc::load(home.genesisFile());
    if (!genesis) throw UserError(genesis.error());
    std::error_code ec;
    if (!std::filesystem::exists(home.databaseDir(), ec))
        throw UserError("no database at " + home.databaseDir().string() + "; nothing was committed on this home");
    DatabaseOptions dbo;
    dbo.createIfMissing = false;
    auto db = openNodeDatabase(home.databaseDir().string(), dbo);
    if (!db) {
        const std::string msg = db.error().message();
        if (msg.find("lock") != std::string::npos)
            throw UserError("the database of " + home.root.string() +
                            " is in use (is agorad running on this home?); stop the node before exporting: " + msg);
        throw UserError("database: " + msg);
    }
    auto app = Application::open(std::move(*genesis), *db, Application::Options{}, std::make_shared<SignatureCache>());
    if (!app) throw UserError(app.error());
    auto doc = o.height ? exportAtHeight(**app, *o.height, home.dataDir() / "export-replay.db") : exportLatest(**app);
    if (!doc) throw UserError("export: " + doc.error());
    const std::string text = doc->prettyJson();
    if (o.output.empty()) {
        out << text;
        return;
    }
    auto w = wallet::writeFileAtomic(o.output, text, wallet::WriteMode::Replace);
    if (!w) throw UserError(o.output + ": " + w.error().message());
    const auto& g = doc->genesis;
    out << "exported height " << (g.appState ? g.appState->height : 0) << " app_hash "
        << (g.appState ? g.appState->appHash.toHex() : std::string("(genesis)")) << " to " << o.output << "\n";
}

int runStart(const HomeLayout& home, const std::string& logFormat, const std::string& logLevel,
             const NodeOverrides& overrides, std::ostream& err) {
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

    if (overrides.unsafeDoubleSignAt)
        spdlog::warn("UNSAFE: this validator will double-sign at height {} (test mode)", *overrides.unsafeDoubleSignAt);
    auto node = Node::open(home, overrides);
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
    initCmd->add_flag("--full-node", init.fullNode,
                      "A non-validator home: config and node key only; copy the network's genesis.json in");

    auto* startCmd = app.add_subcommand("start", "Run the node until SIGINT or SIGTERM");
    std::string logFormat;
    std::string logLevel;
    startCmd->add_option("--log-format", logFormat, "text or json (overrides log.format)")
        ->check(CLI::IsMember({"text", "json"}))
        ->envname("AGORA_LOG_FORMAT");
    startCmd->add_option("--log-level", logLevel, "trace, debug, info, warn or error (overrides log.level)")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
        ->envname("AGORA_LOG_LEVEL");
    std::uint64_t doubleSignAt = 0;
    startCmd->add_option("--unsafe-double-sign-at", doubleSignAt,
                         "TEST ONLY: sign two conflicting prevotes at this height (gets the validator slashed)");
    bool stateSync = false;
    std::uint64_t trustHeight = 0;
    std::string trustBlockId;
    std::vector<std::string> stateSyncPeers;
    auto* stateSyncFlag = startCmd->add_flag("--state-sync", stateSync,
                                             "With an empty database: restore the state of --trust-height from peers' "
                                             "snapshots, then block-sync from there");
    startCmd
        ->add_option("--trust-height", trustHeight, "State sync: the trusted height (a snapshot height of the peers)")
        ->needs(stateSyncFlag);
    startCmd->add_option("--trust-block-id", trustBlockId, "State sync: the id (64 hex) of the block at --trust-height")
        ->needs(stateSyncFlag);
    startCmd
        ->add_option("--state-sync-peer", stateSyncPeers,
                     "State sync: host:port of a peer's p2p port to ask (repeatable; default: p2p.persistent_peers)")
        ->needs(stateSyncFlag);
    TestnetOptions testnet;
    auto* testnetCmd = app.add_subcommand("testnet", "Files for a local multi-validator network");
    testnetCmd->require_subcommand(1);
    auto* initFiles = testnetCmd->add_subcommand("init-files", "N validator homes on 127.0.0.1 sharing one genesis");
    initFiles->add_option("--validators", testnet.validators, "number of validators")->capture_default_str();
    initFiles->add_option("--full-nodes", testnet.fullNodes, "homes without validator keys after the validators")
        ->capture_default_str();
    initFiles->add_option("--output", testnet.output, "directory for node0..nodeN-1, keyring, passphrase")->required();
    initFiles->add_option("--keyring-dir", testnet.keyringDir, "keyring for the demo keys (default OUTPUT/keyring)");
    initFiles->add_option("--passphrase-file", testnet.passphraseFile,
                          "passphrase of the demo keys (default: 'testnet', written to OUTPUT/passphrase.txt)");
    initFiles->add_option("--chain-id", testnet.chainId, "chain id")->capture_default_str();
    initFiles->add_option("--stakes", testnet.stakes, "self-stake per validator, e.g. 400agr,300agr,200agr,100agr")
        ->delimiter(',');
    initFiles->add_option("--demo-accounts", testnet.demoAccounts, "funded demo keys (provider, client, demo2..)")
        ->capture_default_str();
    initFiles->add_option("--grpc-base-port", testnet.grpcBasePort, "node i listens on base + i")
        ->capture_default_str();
    initFiles->add_option("--p2p-base-port", testnet.p2pBasePort, "node i listens on base + i")->capture_default_str();
    initFiles->add_option("--http-base-port", testnet.httpBasePort, "node i listens on base + i")
        ->capture_default_str();

    ExportOptions exportOpts;
    auto* exportCmd = app.add_subcommand(
        "export", "Write the committed state as a genesis JSON that re-imports to the same app_hash (node stopped)");
    exportCmd->add_option("--output", exportOpts.output, "File to write (default: stdout)");
    std::uint64_t exportHeight = 0;
    auto* exportHeightOpt =
        exportCmd->add_option("--height", exportHeight, "Export the state after this block (default: latest)");

    auto* resetCmd = app.add_subcommand("unsafe-reset",
                                        "Delete all blocks, state, WAL and signer state (keeps keys, config, genesis)");

    try {
        app.parse(argc, argv);
        const HomeLayout home(homeDir);
        if (initCmd->parsed()) {
            runInit(home, init, out);
            return 0;
        }
        if (initFiles->parsed()) {
            runTestnet(testnet, out);
            return 0;
        }
        if (exportCmd->parsed()) {
            if (exportHeightOpt->count() > 0) exportOpts.height = exportHeight;
            runExport(home, exportOpts, out);
            return 0;
        }
        if (resetCmd->parsed()) {
            runUnsafeReset(home, out);
            return 0;
        }
        if (startCmd->parsed()) {
            NodeOverrides overrides;
            if (doubleSignAt > 0) overrides.unsafeDoubleSignAt = doubleSignAt;
            if (stateSync) {
                auto id = Hash256::fromHex(trustBlockId);
                if (trustHeight == 0 || !id)
                    throw UserError("--state-sync needs --trust-height H (>= 1) and --trust-block-id (64 hex)");
                overrides.stateSync = StateSyncStart{trustHeight, *id, stateSyncPeers};
            }
            return runStart(home, logFormat, logLevel, overrides, err);
        }
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
