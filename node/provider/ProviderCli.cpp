#include "node/provider/ProviderCli.h"

#include <CLI/CLI.hpp>
#include <csignal>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "node/base/Logging.h"
#include "node/base/ThreadFailure.h"
#include "node/cli/PassphraseSource.h"
#include "node/provider/ProviderAgent.h"
#include "node/provider/RuntimeFactory.h"
#include "node/provider/runtime/HostCapacity.h"
#include "node/provider/runtime/Shim.h"
#include "wallet/Keyring.h"

namespace agora::provider {

namespace {

std::string selfExe() {
    std::error_code ec;
    auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::string("agora-provider") : p.string();
}

std::string envOr(const char* name, const std::string& fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::string(v) : fallback;
}

int init(const std::string& home, ProviderConfig c, bool force) {
    const auto path = providerConfigPath(home);
    if (std::filesystem::exists(path) && !force) {
        std::cerr << "error: " << path.string() << " exists (--force overwrites it)\n";
        return 1;
    }
    wallet::Keyring ring(c.keyringDir.empty() ? wallet::Keyring::defaultDir() : std::filesystem::path(c.keyringDir));
    auto info = ring.info(c.keyName);
    if (!info) {
        std::cerr << "error: key " << c.keyName << ": " << info.error().message() << "\n";
        return 1;
    }
    std::filesystem::create_directories(std::filesystem::path(home) / "data");
    if (c.runtime == "slurm") {
        // What the cluster's partition holds, not this host.
        auto runtime = makeRuntime(c, home, {});
        if (!runtime) {
            std::cerr << "error: " << runtime.error() << "\n";
            return 1;
        }
        c.capacity = (*runtime)->capacity();
    } else {
        c.capacity = discoverHostCapacity(home);
    }
    if (c.attributes.empty()) c.attributes = {{"region", "local"}, {"runtime", c.runtime}};
    std::ofstream out(path);
    out << renderProviderConfig(c);
    if (!out) {
        std::cerr << "error: cannot write " << path.string() << "\n";
        return 1;
    }
    std::cout << "wrote " << path.string() << "\n"
              << "  provider " << info->address.toBech32() << " (key " << c.keyName << ")\n"
              << "  node " << c.node << ", gateway " << c.gatewayListen << "\n"
              << "  capacity " << c.capacity.cpuMillicores << "m cpu, " << c.capacity.memoryMib << " MiB, "
              << c.capacity.storageGib << " GiB";
    for (const auto& g : c.capacity.gpus) std::cout << ", " << g.count << "x " << g.model;
    std::cout << "\nstart it with: agora-provider start --home " << home << "\n";
    return 0;
}

int start(const std::string& home, const std::string& logLevel, const std::string& logFormat) {
    node::setupLogging(logLevel, logFormat);
    auto config = loadProviderConfig(providerConfigPath(home));
    if (!config) {
        std::cerr << "error: " << config.error() << "\n";
        return 1;
    }
    const std::string passFile =
        config->passphraseFile.empty() ? envOr("AGORA_PASSPHRASE_FILE", "") : config->passphraseFile;
    if (passFile.empty()) {
        std::cerr << "error: no passphrase: set [key] passphrase_file in provider.toml or AGORA_PASSPHRASE_FILE\n";
        return 1;
    }
    std::string passphrase;
    try {
        node::cli::PassphraseSource src(passFile);
        passphrase = src.get();
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }

    // Shutdown signals go to one waiting thread; children reset the mask before exec.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    AgentOptions opts;
    opts.home = home;
    opts.config = *config;
    opts.passphrase = std::move(passphrase);
    opts.shimCommand = {selfExe(), "shim"};
    ProviderAgent agent(std::move(opts));
    std::thread waiter([&agent, signals] {
        int sig = 0;
        sigwait(&signals, &sig);
        if (sig == SIGUSR2) return;  // woken by main at exit
        spdlog::info("signal {}, stopping the agent (workloads keep running)", sig);
        agent.requestStop();
    });
    // A thread of the agent that throws stops it cleanly with an error
    // (node/base/ThreadFailure.h) instead of terminating the process.
    std::mutex failureMu;
    std::optional<std::string> failure;
    const auto failureHandler = node::addThreadFailureHandler([&](const std::string& message) {
        {
            std::lock_guard lock(failureMu);
            if (!failure) failure = message;
        }
        agent.requestStop();
    });
    auto started = agent.start();
    int rc = 0;
    if (!started) {
        std::cerr << "error: " << started.error() << "\n";
        rc = 1;
    } else {
        agent.run();
    }
    agent.requestStop();
    node::removeThreadFailureHandler(failureHandler);
    {
        std::lock_guard lock(failureMu);
        if (failure) {
            std::cerr << "error: agent stopped: " << *failure << "\n";
            rc = 2;
        }
    }
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
    return rc;
}

}  // namespace

int runProviderCli(int argc, char** argv) {
    // The shim runs detached from the agent and must not go through CLI11's
    // allocation-heavy parsing twice; dispatch it first.
    if (argc >= 2 && std::string(argv[1]) == "shim") return shimMain(argc - 1, argv + 1);

    CLI::App app{"agora-provider: the provider agent (bids, runs leases' workloads, serves the gateway)"};
    app.require_subcommand(1);
    std::string home = envOr("AGORA_PROVIDER_HOME", envOr("HOME", ".") + "/.agora-provider");
    int rc = 0;

    auto* initCmd = app.add_subcommand("init", "Write provider.toml with the host's capacity");
    ProviderConfig c;
    bool force = false;
    initCmd->add_option("--home", home, "agent home directory")->envname("AGORA_PROVIDER_HOME");
    initCmd->add_option("--node", c.node, "gRPC address of an agorad")->envname("AGORA_NODE")->capture_default_str();
    initCmd->add_option("--from", c.keyName, "keyring key of the provider")
        ->envname("AGORA_FROM")
        ->capture_default_str();
    initCmd->add_option("--keyring-dir", c.keyringDir, "keyring directory")->envname("AGORA_KEYRING_DIR");
    initCmd->add_option("--passphrase-file", c.passphraseFile, "passphrase file of the key")
        ->envname("AGORA_PASSPHRASE_FILE");
    initCmd->add_option("--gateway-listen", c.gatewayListen, "gateway listen address")->capture_default_str();
    initCmd->add_option("--host-uri", c.hostUri, "gateway address published on chain (default: --gateway-listen)");
    std::string stake = "200000000";
    initCmd->add_option("--stake", stake, "provider stake (uagr)")->capture_default_str();
    std::string cpuPrice = "1";
    initCmd->add_option("--price-per-cpu-millicore", cpuPrice, "offer price per millicore per second (uagr)")
        ->capture_default_str();
    std::string memPrice = "0";
    initCmd->add_option("--price-per-memory-mib", memPrice, "offer price per MiB per second (uagr)")
        ->capture_default_str();
    initCmd->add_option("--price-script", c.priceScript, "executable that prices bids (docs/provider.md)");
    std::uint32_t portFirst = c.portRangeFirst;
    initCmd->add_option("--port-range-first", portFirst, "first host port for exposed services")->capture_default_str();
    initCmd->add_option("--runtime", c.runtime, "process | slurm")->capture_default_str();
    initCmd->add_option("--slurm-partition", c.slurmPartition, "slurm runtime: the partition jobs go to");
    initCmd->add_option("--slurm-conf", c.slurmConf, "slurm runtime: SLURM_CONF for the Slurm commands");
    initCmd->add_option("--slurm-state-dir", c.slurmStateDir,
                        "slurm runtime: a directory the compute nodes share (default <home>/data/slurm)");
    std::vector<std::string> attrs;
    initCmd->add_option("--attribute", attrs, "provider attribute KEY=VALUE (repeatable)");
    initCmd->add_flag("--force", force, "overwrite an existing provider.toml");
    initCmd->callback([&] {
        auto s = Amount::parse(stake);
        auto cp = Amount::parse(cpuPrice);
        auto mp = Amount::parse(memPrice);
        if (!s || !cp || !mp) {
            std::cerr << "error: --stake and prices must be amounts\n";
            rc = 2;
            return;
        }
        c.stake = *s;
        c.pricePerCpuMillicore = *cp;
        c.pricePerMemoryMib = *mp;
        if (c.runtime != "process" && c.runtime != "slurm") {
            std::cerr << "error: --runtime must be process or slurm\n";
            rc = 2;
            return;
        }
        c.portRangeFirst = static_cast<std::uint16_t>(portFirst);
        c.portRangeLast = static_cast<std::uint16_t>(std::min<std::uint32_t>(65535, portFirst + 9999u));
        for (const auto& a : attrs) {
            const auto eq = a.find('=');
            if (eq == std::string::npos || eq == 0) {
                std::cerr << "error: --attribute must be KEY=VALUE\n";
                rc = 2;
                return;
            }
            c.attributes.push_back(Attribute{a.substr(0, eq), a.substr(eq + 1)});
        }
        std::sort(c.attributes.begin(), c.attributes.end(), [](const auto& x, const auto& y) { return x.key < y.key; });
        rc = init(home, c, force);
    });

    auto* startCmd = app.add_subcommand("start", "Run the agent in the foreground (SIGTERM stops it cleanly)");
    std::string logLevel = "info";
    std::string logFormat = "text";
    startCmd->add_option("--home", home, "agent home directory")->envname("AGORA_PROVIDER_HOME");
    startCmd->add_option("--log-level", logLevel, "trace|debug|info|warn|error")->capture_default_str();
    startCmd->add_option("--log-format", logFormat, "text|json")->capture_default_str();
    startCmd->callback([&] { rc = start(home, logLevel, logFormat); });

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    return rc;
}

}  // namespace agora::provider
