#pragma once
// Runs an external program to completion with an argv (never a shell string),
// capturing its stdout and stderr, bounded by a deadline. The Slurm runtime
// drives the cluster through the client commands with it (sbatch, squeue,
// scontrol, scancel, sinfo).
//
// Safe in the multi-threaded agent: everything the child needs is built
// before fork, the child makes only async-signal-safe calls until exec.

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "consensus/core/Expected.h"

namespace agora::provider {

struct CommandResult {
    int exitCode = 0;  // killed by signal n -> 128 + n
    std::string out;   // stdout, at most the runner's output cap
    std::string err;   // stderr, at most the runner's output cap
};

struct CommandOptions {
    // Set (or, with an empty value, removed) on top of the agent's environment.
    std::map<std::string, std::string> env;
    // Prefixes of inherited variables to drop, e.g. "SBATCH_" so an agent that
    // itself runs inside a Slurm job does not pass that job's settings on.
    std::vector<std::string> dropEnvPrefixes;
    std::chrono::milliseconds timeout{30'000};
    std::size_t maxOutputBytes = 16 * 1024 * 1024;
};

// argv[0] is a path or a name looked up in $PATH. The error (spawn failure or
// timeout: the child's process group is killed) is a message naming argv[0].
Expected<CommandResult, std::string> runCommand(const std::vector<std::string>& argv, const CommandOptions& options);

}  // namespace agora::provider
