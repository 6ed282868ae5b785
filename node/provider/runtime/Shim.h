#pragma once
// The shim: the one process that owns a running service, so the service
// outlives the agent (docs/provider-runtime.md, docs/design-decisions.md).
//
// Command line: `<shim prefix> --dir D` (the agent binary dispatches
// `agora-provider shim --dir D` here). D holds spec.json (ShimSpec). The shim
//   1. creates the lease cgroup (limits) and the service cgroup,
//   2. forks the sandbox (bwrap), puts it in the cgroups before it execs,
//   3. writes D/sandbox.pid, copies the sandbox's stdout+stderr into D/log (ServiceLog),
//   4. on SIGTERM/SIGINT/SIGHUP (stop) sends SIGTERM to the sandbox's processes
//      and SIGKILL to the cgroup after the spec's grace,
//   5. when the sandbox is gone, removes the cgroups and writes D/exit (ServiceExit).
// It exits 0 once D/exit is written, non-zero when it could not write it.

namespace agora::provider {

int shimMain(int argc, char** argv);

}  // namespace agora::provider
