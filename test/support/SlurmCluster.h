#pragma once
// A real one-node Slurm cluster for the slurm runtime's tests: munged,
// slurmctld and slurmd run as children of the test (ChildProcess), with a
// slurm.conf, munge key, ports, state and log dirs of their own in a temp dir
// written by test/support/slurm-cluster.sh (`conf`). No systemd, nothing in
// /etc. The destructor kills the daemons by pid.
//
// Client commands find the cluster through SLURM_CONF=conf(); the conf names
// munge's socket (AuthInfo=socket=...).

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "support/ChildProcess.h"
#include "support/TempDir.h"

namespace agora::test {

class SlurmCluster {
public:
    // Whether the Debian packages the cluster needs are installed, and the
    // test runs as root (slurmd starts jobs as their user; SlurmUser=root).
    static bool available() {
        if (::geteuid() != 0) return false;
        for (const char* bin : {"/usr/sbin/munged", "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch",
                                "/usr/bin/squeue", "/usr/bin/scontrol", "/usr/bin/scancel", "/usr/bin/sinfo"}) {
            if (::access(bin, X_OK) != 0) return false;
        }
        return true;
    }

    // Writes the config and starts the daemons; check up() before use.
    SlurmCluster() : dir_("slurm") {
        const std::string conf = root() + "/conf.out";
        const int slurmdPort = freePort();
        node_ = "agora" + std::to_string(slurmdPort);
        const int rc = runToExit({"/bin/bash", std::string(AGORA_SOURCE_DIR) + "/test/support/slurm-cluster.sh", "conf",
                                  root(), std::to_string(freePort()), std::to_string(slurmdPort)},
                                 conf, std::chrono::seconds(30));
        if (rc != 0) {
            error_ = "slurm-cluster.sh conf failed: " + readFile(conf);
            return;
        }
        munged_ = std::make_unique<ChildProcess>(
            std::vector<std::string>{
                "/usr/sbin/munged", "-F", "--force", "--socket=" + root() + "/munge/munge.socket",
                "--key-file=" + root() + "/munge/munge.key", "--pid-file=" + root() + "/run/munged.pid",
                "--log-file=" + root() + "/log/munged.log", "--seed-file=" + root() + "/munge/munged.seed"},
            root() + "/log/munged.out");
        // slurmctld -i: ignore state from an earlier run (there is none: a fresh dir).
        slurmctld_ = std::make_unique<ChildProcess>(
            std::vector<std::string>{"/usr/sbin/slurmctld", "-D", "-i", "-f", conf_()}, root() + "/log/slurmctld.out");
        slurmd_ = std::make_unique<ChildProcess>(
            std::vector<std::string>{"/usr/sbin/slurmd", "-D", "-N", node_, "-f", conf_()}, root() + "/log/slurmd.out");
        if (!waitUntil([&] { return nodeState() == "idle" || !daemonsRunning(); }, std::chrono::seconds(60)) ||
            !daemonsRunning()) {
            error_ = "the Slurm node did not become idle; " + logs();
        }
    }
    ~SlurmCluster() {
        // Jobs' processes belong to slurmstepd, which outlives slurmd: end them first.
        if (up()) {
            client({"/usr/bin/scancel", "--partition=agora"});
            waitUntil(
                [&] {
                    return client({"/usr/bin/squeue", "-h", "-o", "%i"}).value_or("").empty();
                },
                std::chrono::seconds(20));
        }
        // slurmd first: it ends its job steps; then the controller; munge last.
        for (auto* p : {slurmd_.get(), slurmctld_.get(), munged_.get()}) {
            if (p == nullptr || !p->running()) continue;
            p->signal(SIGTERM);
            if (p->waitExit(std::chrono::seconds(15)) < 0) p->signal(SIGKILL);
        }
        removeCgroups();
    }
    SlurmCluster(const SlurmCluster&) = delete;
    SlurmCluster& operator=(const SlurmCluster&) = delete;

    bool up() const { return error_.empty(); }
    const std::string& error() const { return error_; }
    std::string conf() const { return conf_(); }
    std::string root() const { return dir_.path("cluster"); }
    // The one node's name (NodeName=, slurmd -N).
    const std::string& node() const { return node_; }
    // Memory limits are enforced (task/cgroup) or not (task/none, see slurm-cluster.sh).
    bool enforcesMemory() const { return readFile(conf_()).find("TaskPlugin=task/cgroup") != std::string::npos; }

    // Runs a Slurm client command with SLURM_CONF set; its stdout+stderr, or nullopt when it failed.
    std::optional<std::string> client(std::vector<std::string> args) const {
        const std::string out = dir_.path("client-" + std::to_string(clientRuns_++) + ".out");
        args.insert(args.begin(), {"/usr/bin/env", "SLURM_CONF=" + conf_()});
        const int rc = runToExit(std::move(args), out, std::chrono::seconds(30));
        std::string text = readFile(out);
        std::filesystem::remove(out);
        if (rc != 0) return std::nullopt;
        return text;
    }
    // sinfo's state of the node ("idle", "mix", "alloc", ...), empty when unreachable.
    std::string nodeState() const {
        auto out = client({"/usr/bin/sinfo", "-h", "-o", "%t"});
        if (!out) return "";
        while (!out->empty() && (out->back() == '\n' || out->back() == ' ')) out->pop_back();
        return *out;
    }
    std::string logs() const {
        return "slurmctld.log:\n" + tail(readFile(root() + "/log/slurmctld.log")) + "\nslurmd.log:\n" +
               tail(readFile(root() + "/log/slurmd.log")) + "\nslurmctld.out:\n" +
               tail(readFile(root() + "/log/slurmctld.out")) + "\nmunged:\n" +
               tail(readFile(root() + "/log/munged.log"));
    }

private:
    // task/cgroup leaves slurm_<node>/... in each v1 controller; empty by now,
    // removed bottom-up (rmdir: cgroup dirs cannot be unlinked file by file).
    void removeCgroups() const {
        std::error_code ec;
        for (const auto& controller : std::filesystem::directory_iterator("/sys/fs/cgroup", ec)) {
            const auto top = controller.path() / ("slurm_" + node_);
            // A job's cgroup can stay busy a moment after slurmd ended (the
            // kernel still releasing an OOM-killed task): retried until a deadline.
            waitUntil(
                [&] {
                    std::error_code e;
                    if (!std::filesystem::is_directory(top, e)) return true;
                    std::vector<std::filesystem::path> dirs{top};
                    for (const auto& d : std::filesystem::recursive_directory_iterator(top, e)) {
                        if (d.is_directory(e)) dirs.push_back(d.path());
                    }
                    std::sort(dirs.begin(), dirs.end(),
                              [](const auto& a, const auto& b) { return a.string().size() > b.string().size(); });
                    for (const auto& d : dirs) ::rmdir(d.c_str());
                    return !std::filesystem::exists(top, e);
                },
                std::chrono::seconds(10));
        }
    }
    std::string conf_() const { return root() + "/slurm.conf"; }
    bool daemonsRunning() const {
        const auto alive = [](ChildProcess& p) { return p.waitExit(std::chrono::milliseconds(0)) < 0; };
        return alive(*munged_) && alive(*slurmctld_) && alive(*slurmd_);
    }
    static std::string readFile(const std::string& path) {
        std::ifstream in(path);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
    static std::string tail(const std::string& s) { return s.size() > 2000 ? s.substr(s.size() - 2000) : s; }

    TempDir dir_;
    std::string node_;  // the node's name, agora<slurmd port>
    std::string error_;
    std::unique_ptr<ChildProcess> munged_;
    std::unique_ptr<ChildProcess> slurmctld_;
    std::unique_ptr<ChildProcess> slurmd_;
    mutable int clientRuns_ = 0;
};

}  // namespace agora::test
