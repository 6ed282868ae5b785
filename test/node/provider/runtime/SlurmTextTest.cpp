// The Slurm runtime's reading and writing of the Slurm commands' text, without a cluster.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "node/provider/runtime/CommandRunner.h"
#include "node/provider/runtime/SlurmText.h"
#include "support/TempDir.h"

using namespace agora;
using namespace agora::provider;

TEST_CASE("slurm text: job names carry the lease id and the service, and parse back", "[provider][runtime][slurm]") {
    CHECK(slurm::jobName("agora-lease-", 42, "web-1") == "agora-lease-42-web-1");
    const auto parts = slurm::parseJobName("agora-lease-", "agora-lease-42-web-1");
    REQUIRE(parts.has_value());
    CHECK(parts->leaseId == 42);
    CHECK(parts->service == "web-1");
    CHECK(!slurm::parseJobName("agora-lease-", "other-42-web"));
    CHECK(!slurm::parseJobName("agora-lease-", "agora-lease-x-web"));
    CHECK(!slurm::parseJobName("agora-lease-", "agora-lease-42-"));
    CHECK(!slurm::parseJobName("agora-lease-", "agora-lease-042-web"));
}

TEST_CASE("slurm text: job states map to service states", "[provider][runtime][slurm]") {
    CHECK(slurm::serviceState("PENDING", false) == ServiceState::Starting);
    CHECK(slurm::serviceState("CONFIGURING", false) == ServiceState::Starting);
    CHECK(slurm::serviceState("RUNNING", false) == ServiceState::Running);
    CHECK(slurm::serviceState("COMPLETING", true) == ServiceState::Running);
    CHECK(slurm::serviceState("COMPLETED", false) == ServiceState::Exited);
    CHECK(slurm::serviceState("FAILED", false) == ServiceState::Exited);
    CHECK(slurm::serviceState("OUT_OF_MEMORY", false) == ServiceState::OomKilled);
    CHECK(slurm::serviceState("TIMEOUT", false) == ServiceState::Stopped);
    CHECK(slurm::serviceState("CANCELLED", true) == ServiceState::Stopped);
    CHECK(slurm::serviceState("CANCELLED", false) == ServiceState::Lost);
    CHECK(slurm::serviceState("NODE_FAIL", false) == ServiceState::Lost);
    CHECK(slurm::serviceState("PREEMPTED", false) == ServiceState::Lost);
    CHECK(slurm::finalState("NODE_FAIL"));
    CHECK(slurm::finalState("COMPLETED"));
    CHECK(!slurm::finalState("COMPLETING"));
    CHECK(!slurm::finalState("PENDING"));
}

TEST_CASE("slurm text: scontrol records, exit codes and GRES parse", "[provider][runtime][slurm]") {
    const std::string line =
        "JobId=17 JobName=agora-lease-3-main UserId=root(0) JobState=FAILED Reason=NonZeroExitCode ExitCode=3:0 "
        "Command=/state dir/lease-3/main/job.sh WorkDir=/state dir/lease-3/main StdOut=/x/log";
    const auto r = slurm::parseRecord(line);
    CHECK(r.at("Command") == "/state dir/lease-3/main/job.sh");
    CHECK(r.at("WorkDir") == "/state dir/lease-3/main");
    const auto jobs = slurm::parseJobs(line + "\nJobId=18 JobName=x JobState=CANCELLED ExitCode=0:15\n");
    REQUIRE(jobs.size() == 2);
    CHECK(jobs[0].id == "17");
    CHECK(jobs[0].name == "agora-lease-3-main");
    CHECK(jobs[0].state == "FAILED");
    CHECK(jobs[0].exitCode == 3);
    CHECK(jobs[0].reason == "NonZeroExitCode");
    CHECK(jobs[1].exitCode == 128 + 15);
    CHECK(slurm::parseGpus("(null)").empty());
    const auto gpus = slurm::parseGpus("gpu:a100:4(S:0,1),gpu:v100:2,shard:8,gpu:2");
    REQUIRE(gpus.size() == 3);
    CHECK(gpus[0].model == "a100");
    CHECK(gpus[0].count == 4);
    CHECK(gpus[1].model == "gpu");
    CHECK(gpus[1].count == 2);
    CHECK(gpus[2].model == "v100");
}

TEST_CASE("slurm text: the batch script runs the argv word for word", "[provider][runtime][slurm]") {
    test::TempDir dir("slurm-script");
    const std::string exitFile = dir.path("exit");
    const std::string touched = dir.path("touched");
    const std::vector<std::string> argv = {"/bin/sh", "-c", "printf '%s|' \"$0\" \"$1\" \"$X\"; exit 4",
                                           "it's $(touch " + touched + ")", "`touch " + touched + "`; a b"};
    const std::string script =
        slurm::batchScript(9, "main", argv, {{"X", "x'y $HOME"}, {"PATH", "/usr/bin:/bin"}}, dir.path(""), exitFile);
    const std::string path = dir.path("job.sh");
    std::ofstream(path) << script;
    auto r = runCommand({"/bin/sh", path}, CommandOptions{});
    REQUIRE(r.hasValue());
    CHECK(r->exitCode == 4);
    CHECK(r->out == "it's $(touch " + touched + ")|`touch " + touched + "`; a b|x'y $HOME|");
    CHECK(!std::filesystem::exists(touched));
    std::ifstream in(exitFile);
    int code = -1;
    in >> code;
    CHECK(code == 4);
}

TEST_CASE("command runner: exit codes, output, environment and the deadline", "[provider][runtime][slurm]") {
    CommandOptions o;
    o.env["AGORA_RUNNER_TEST"] = "set";
    auto r = runCommand({"sh", "-c", "echo out; echo err >&2; echo $AGORA_RUNNER_TEST; exit 5"}, o);
    REQUIRE(r.hasValue());
    CHECK(r->exitCode == 5);
    CHECK(r->out == "out\nset\n");
    CHECK(r->err == "err\n");
    ::setenv("SBATCH_AGORA_RUNNER_TEST", "leak", 1);
    o.dropEnvPrefixes = {"SBATCH_"};
    r = runCommand({"/bin/sh", "-c", "echo \"[$SBATCH_AGORA_RUNNER_TEST]\""}, o);
    ::unsetenv("SBATCH_AGORA_RUNNER_TEST");
    REQUIRE(r.hasValue());
    CHECK(r->out == "[]\n");
    o.timeout = std::chrono::milliseconds(300);
    const auto started = std::chrono::steady_clock::now();
    r = runCommand({"/bin/sleep", "30"}, o);
    CHECK(!r.hasValue());
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
    CHECK(!runCommand({"/no/such/program"}, CommandOptions{}).hasValue());
}
