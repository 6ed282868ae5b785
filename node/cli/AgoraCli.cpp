#include "node/cli/AgoraCli.h"

#include <CLI/CLI.hpp>
#include <exception>
#include <string>

#include "node/cli/ChainCommands.h"
#include "node/cli/CliContext.h"
#include "node/cli/CliError.h"
#include "node/cli/KeysCommand.h"
#include "node/cli/WorkloadCommands.h"

namespace agora::node::cli {
namespace {

// Keeps the promise of a one-line error message.
std::string oneLine(std::string s) {
    for (char& c : s) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
}

}  // namespace

int runAgoraCli(int argc, const char* const* argv, std::istream& in, std::ostream& out, std::ostream& err) {
    CliContext ctx(in, out, err);
    CLI::App app("agora: keys, transactions, queries and workloads for an Agora node", "agora");
    app.callback([&app] {
        if (app.get_subcommands().empty())
            throw CliError("missing subcommand: agora keys|query|tx|deploy|lease|manifest (see --help)");
    });
    // Global flags, valid after any subcommand too (subcommands fall through).
    app.add_option("--keyring-dir", ctx.keyringDir, "Keyring directory (default ~/.agora/keyring)")
        ->envname("AGORA_KEYRING_DIR");
    app.add_option("--passphrase-file", ctx.passphraseFile,
                   "Read the key passphrase from the first line of FILE instead of prompting")
        ->envname("AGORA_PASSPHRASE_FILE");
    app.add_option("-o,--output", ctx.output, "Output format: text or json")
        ->envname("AGORA_OUTPUT")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();

    app.add_option("--node", ctx.node, "gRPC address of the node (host:port)")
        ->envname("AGORA_NODE")
        ->capture_default_str();
    app.add_option("--chain-id", ctx.chainId, "Chain id to sign for (default: the node's)")->envname("AGORA_CHAIN_ID");

    registerKeysCommand(app, ctx);
    registerQueryCommand(app, ctx);
    registerTxCommand(app, ctx);
    registerDeployCommand(app, ctx);
    registerLeaseCommand(app, ctx);
    registerManifestCommand(app, ctx);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e, out, err);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e, out, err);
    } catch (const CLI::ParseError& e) {
        err << "Error: " << oneLine(e.what()) << "\n";
        return kExitUserError;
    } catch (const CliError& e) {
        err << "Error: " << oneLine(e.what()) << "\n";
        return kExitUserError;
    } catch (const std::exception& e) {
        err << "Error: internal: " << oneLine(e.what()) << "\n";
        return kExitInternalError;
    }
    return kExitOk;
}

}  // namespace agora::node::cli
