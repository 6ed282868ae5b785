#pragma once
// Runs the real agora binary as a child process (fork/exec, own session so
// there is no terminal to prompt on) with a temporary HOME, keyring directory
// and passphrase file. Shared by the CLI tests of test/node/cli.

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#ifndef AGORA_CLI_BINARY
#error "AGORA_CLI_BINARY must name the agora executable (test/CMakeLists.txt)"
#endif

namespace agora::test::cli {

namespace fs = std::filesystem;

inline std::string readFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline void writeFile(const fs::path& p, const std::string& s) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << s;
}

struct RunResult {
    int exitCode = -1;
    std::string out;
    std::string err;
};

class CliFixture {
public:
    CliFixture() {
        std::string tmpl = (fs::temp_directory_path() / "agora-cli-test-XXXXXX").string();
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        root_ = tmpl;
        keyring_ = root_ / "keyring";
        pass_ = root_ / "pass.txt";
        writeFile(pass_, "s3cret passphrase\n");
    }
    ~CliFixture() {
        std::error_code ec;
        fs::remove_all(root_, ec);
    }
    CliFixture(const CliFixture&) = delete;
    CliFixture& operator=(const CliFixture&) = delete;

    const fs::path& root() const { return root_; }
    const fs::path& keyring() const { return keyring_; }
    const fs::path& passFile() const { return pass_; }

    // Runs agora with args; env holds extra variables; stdin gets `input`.
    RunResult run(const std::vector<std::string>& args, const std::string& input = "",
                  const std::map<std::string, std::string>& env = {}) const {
        const fs::path inPath = root_ / "stdin", outPath = root_ / "stdout", errPath = root_ / "stderr";
        writeFile(inPath, input);
        std::vector<std::string> argStore{AGORA_CLI_BINARY};
        argStore.insert(argStore.end(), args.begin(), args.end());
        std::vector<std::string> envStore{"HOME=" + (root_ / "home").string(), "PATH=/usr/bin:/bin"};
        for (const auto& [k, v] : env) envStore.push_back(k + "=" + v);
        std::vector<char*> argv, envp;
        for (auto& a : argStore) argv.push_back(a.data());
        argv.push_back(nullptr);
        for (auto& e : envStore) envp.push_back(e.data());
        envp.push_back(nullptr);

        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::setsid();  // no controlling terminal: a missing passphrase must fail, not prompt
            const int in = ::open(inPath.c_str(), O_RDONLY);
            const int out = ::open(outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            const int err = ::open(errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            if (in < 0 || out < 0 || err < 0) ::_exit(127);
            ::dup2(in, 0);
            ::dup2(out, 1);
            ::dup2(err, 2);
            ::execve(argv[0], argv.data(), envp.data());
            ::_exit(127);
        }
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        RunResult r;
        r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        r.out = readFile(outPath);
        r.err = readFile(errPath);
        return r;
    }

    // run() with --keyring-dir and --passphrase-file of this fixture.
    RunResult keys(std::vector<std::string> args, const std::string& input = "") const {
        args.insert(args.begin(), "keys");
        args.insert(args.end(), {"--keyring-dir", keyring_.string(), "--passphrase-file", pass_.string()});
        return run(args, input);
    }

private:
    fs::path root_, keyring_, pass_;
};

// A user error: exit 1, nothing on stdout, exactly one "Error: ..." line on stderr.
inline void requireUserError(const RunResult& r, const std::string& needle) {
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.exitCode == 1);
    CHECK(r.out.empty());
    REQUIRE(!r.err.empty());
    CHECK(r.err.rfind("Error: ", 0) == 0);
    CHECK(r.err.find('\n') == r.err.size() - 1);
    CHECK(r.err.find(needle) != std::string::npos);
}

}  // namespace agora::test::cli
