#pragma once
// CliContext: the flags every `agora` command group shares, plus the streams
// commands write to. Filled by CLI11 before a command's callback runs.

#include <iostream>
#include <string>

#include "node/cli/PassphraseSource.h"

namespace agora::node::cli {

enum class OutputFormat { Text, Json };

struct CliContext {
    CliContext(std::istream& input, std::ostream& output_, std::ostream& error) : in(input), out(output_), err(error) {}

    std::string keyringDir;       // --keyring-dir / AGORA_KEYRING_DIR
    std::string passphraseFile;   // --passphrase-file / AGORA_PASSPHRASE_FILE
    std::string output = "text";  // -o / AGORA_OUTPUT: "text" or "json"
    std::string node = "127.0.0.1:9090";  // --node / AGORA_NODE: gRPC address of a node
    std::string chainId;          // --chain-id / AGORA_CHAIN_ID: empty = ask the node

    std::istream& in;
    std::ostream& out;
    std::ostream& err;

    OutputFormat format() const { return output == "json" ? OutputFormat::Json : OutputFormat::Text; }
    // The passphrase source for this command: the file when given, else the terminal.
    PassphraseSource passphrases() const { return PassphraseSource(passphraseFile); }
};

}  // namespace agora::node::cli
