// Integration tests of `agora keys`: they run the real agora binary as a
// child process (fork/exec, own session so there is no terminal to prompt
// on) with a temporary HOME, keyring directory and passphrase file.

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "node/cli/CliFixture.h"

namespace {

namespace fs = std::filesystem;
using namespace agora::test::cli;

constexpr const char* kAbandonArtAddress = "agora1r4jtymelynddecaeycgegdzvt8ulln64uugzt9";

std::string abandonArt() {
    std::string s;
    for (int i = 0; i < 23; ++i) s += "abandon ";
    return s + "art";
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

}  // namespace

TEST_CASE("agora keys add generates a key, prints its mnemonic once, and list/show find it", "[cli][keys]") {
    CliFixture fx;
    const RunResult add = fx.keys({"add", "alice"});
    INFO(add.err);
    REQUIRE(add.exitCode == 0);
    CHECK(add.err.empty());
    // The mnemonic is the last line: 24 words that recover the same key.
    const std::string out = trimmed(add.out);
    const std::string mnemonic = out.substr(out.rfind('\n') + 1);
    CHECK(std::count(mnemonic.begin(), mnemonic.end(), ' ') == 23);

    struct stat st {};
    REQUIRE(::stat((fx.keyring() / "alice.json").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);

    const RunResult show = fx.keys({"show", "alice", "-a"});
    REQUIRE(show.exitCode == 0);
    const std::string address = trimmed(show.out);
    CHECK(address.rfind("agora1", 0) == 0);
    CHECK(show.out == address + "\n");  // only the address
    CHECK(add.out.find("address: " + address + "\n") != std::string::npos);

    const RunResult list = fx.keys({"list"});
    REQUIRE(list.exitCode == 0);
    CHECK(list.out.find("alice") != std::string::npos);
    CHECK(list.out.find(address) != std::string::npos);

    // Recovering the printed mnemonic elsewhere gives the same address.
    const RunResult again = fx.keys({"add", "alice2", "--recover"}, mnemonic + "\n");
    REQUIRE(again.exitCode == 0);
    CHECK(trimmed(fx.keys({"show", "alice2", "-a"}).out) == address);
    // And the mnemonic is not printed for a recovered key.
    CHECK(again.out.find(mnemonic) == std::string::npos);
}

TEST_CASE("agora keys add --recover from abandon...art gives the documented address", "[cli][keys]") {
    CliFixture fx;
    const RunResult add = fx.keys({"add", "doc", "--recover"}, abandonArt() + "\n");
    INFO(add.err);
    REQUIRE(add.exitCode == 0);
    CHECK(add.out.find(std::string("address: ") + kAbandonArtAddress) != std::string::npos);
    CHECK(trimmed(fx.keys({"show", "doc", "-a"}).out) == kAbandonArtAddress);
}

TEST_CASE("agora keys add --recover reports a bad mnemonic as a one-line user error", "[cli][keys]") {
    CliFixture fx;
    requireUserError(fx.keys({"add", "x", "--recover"}, "abandon abandon\n"), "wrong number of mnemonic words");
    std::string typo = abandonArt();
    typo.replace(0, 7, "abandun");
    requireUserError(fx.keys({"add", "x", "--recover"}, typo), "unknown mnemonic word: 'abandun' (word 1)");
    std::string badSum = abandonArt();
    badSum.replace(badSum.size() - 3, 3, "zoo");
    requireUserError(fx.keys({"add", "x", "--recover"}, badSum), "bad mnemonic checksum");
    CHECK_FALSE(fs::exists(fx.keyring() / "x.json"));
}

TEST_CASE("agora keys export with a wrong passphrase exits 1 with a message", "[cli][keys]") {
    CliFixture fx;
    REQUIRE(fx.keys({"add", "bob", "--recover"}, abandonArt()).exitCode == 0);
    const std::string before = readFile(fx.keyring() / "bob.json");
    const fs::path wrong = fx.root() / "wrong.txt";
    writeFile(wrong, "not the passphrase\n");
    const RunResult r =
        fx.run({"keys", "export", "bob", "--keyring-dir", fx.keyring().string(), "--passphrase-file", wrong.string()});
    requireUserError(r, "wrong passphrase");
    CHECK(readFile(fx.keyring() / "bob.json") == before);
}

TEST_CASE("agora keys without a passphrase file and without a terminal fails instead of prompting", "[cli][keys]") {
    CliFixture fx;
    const RunResult r = fx.run({"keys", "add", "carol", "--keyring-dir", fx.keyring().string()});
    requireUserError(r, "--passphrase-file");
    CHECK_FALSE(fs::exists(fx.keyring() / "carol.json"));
}

TEST_CASE("agora keys delete needs -y without a terminal and then removes the key", "[cli][keys]") {
    CliFixture fx;
    REQUIRE(fx.keys({"add", "dave"}).exitCode == 0);
    requireUserError(fx.keys({"delete", "dave"}), "-y");
    CHECK(fs::exists(fx.keyring() / "dave.json"));
    const RunResult del = fx.keys({"delete", "dave", "-y"});
    REQUIRE(del.exitCode == 0);
    CHECK_FALSE(fs::exists(fx.keyring() / "dave.json"));
    requireUserError(fx.keys({"show", "dave"}), "key not found: dave");
    requireUserError(fx.keys({"delete", "dave", "-y"}), "key not found");
}

TEST_CASE("agora keys export then import round-trips mnemonic, secret hex and key file", "[cli][keys]") {
    CliFixture fx;
    REQUIRE(fx.keys({"add", "orig"}).exitCode == 0);
    const std::string address = trimmed(fx.keys({"show", "orig", "-a"}).out);

    // Mnemonic: export prints the words; import stores the same key.
    const RunResult exported = fx.keys({"export", "orig"});
    REQUIRE(exported.exitCode == 0);
    const std::string words = trimmed(exported.out);
    CHECK(std::count(words.begin(), words.end(), ' ') == 23);
    writeFile(fx.root() / "orig.txt", exported.out);
    const RunResult imported = fx.keys({"import", "copy", (fx.root() / "orig.txt").string()});
    INFO(imported.err);
    REQUIRE(imported.exitCode == 0);
    CHECK(trimmed(fx.keys({"show", "copy", "-a"}).out) == address);
    CHECK(trimmed(fx.keys({"export", "copy"}).out) == words);

    // Secret hex: what export -o json reports as secret_key imports as a raw key.
    const auto j = nlohmann::json::parse(fx.keys({"export", "orig", "-o", "json"}).out);
    const std::string secret = j.at("secret_key");
    CHECK(secret.size() == 64);
    writeFile(fx.root() / "secret.hex", secret + "\n");
    REQUIRE(fx.keys({"import", "raw", (fx.root() / "secret.hex").string()}).exitCode == 0);
    CHECK(trimmed(fx.keys({"show", "raw", "-a"}).out) == address);
    CHECK(trimmed(fx.keys({"export", "raw"}).out) == secret);  // no mnemonic to show

    // An Agora key file (e.g. copied from another machine) imports with its passphrase.
    REQUIRE(fx.keys({"import", "fromfile", (fx.keyring() / "orig.json").string()}).exitCode == 0);
    CHECK(trimmed(fx.keys({"show", "fromfile", "-a"}).out) == address);

    requireUserError(fx.keys({"import", "copy", (fx.root() / "orig.txt").string()}), "key already exists");
    writeFile(fx.root() / "junk.txt", "hello world\n");
    requireUserError(fx.keys({"import", "junk", (fx.root() / "junk.txt").string()}), "mnemonic");
    requireUserError(fx.keys({"import", "none", (fx.root() / "missing.txt").string()}), "missing.txt");
}

TEST_CASE("agora keys -o json output parses for add, list, show and export", "[cli][keys]") {
    CliFixture fx;
    const RunResult add = fx.keys({"add", "erin", "-o", "json"});
    REQUIRE(add.exitCode == 0);
    const auto a = nlohmann::json::parse(add.out);
    CHECK(a.at("name") == "erin");
    const std::string address = a.at("address");
    CHECK(address.rfind("agora1", 0) == 0);
    CHECK(a.at("public_key").get<std::string>().size() == 64);
    CHECK(a.at("hd_path") == "m/44'/118'/0'/0/0");
    const std::string mnemonic = a.at("mnemonic");

    REQUIRE(fx.keys({"add", "frank", "--recover", "-o", "json"}, abandonArt()).exitCode == 0);

    const auto list = nlohmann::json::parse(fx.keys({"list", "-o", "json"}).out);
    REQUIRE(list.is_array());
    REQUIRE(list.size() == 2);
    CHECK(list[0].at("name") == "erin");
    CHECK(list[0].at("address") == address);
    CHECK(list[1].at("address") == kAbandonArtAddress);

    const auto show = nlohmann::json::parse(fx.keys({"show", "frank", "-o", "json"}).out);
    CHECK(show.at("address") == kAbandonArtAddress);
    const auto showA = nlohmann::json::parse(fx.keys({"show", "frank", "-a", "-o", "json"}).out);
    CHECK(showA.at("address") == kAbandonArtAddress);

    const auto exp = nlohmann::json::parse(fx.keys({"export", "erin", "-o", "json"}).out);
    CHECK(exp.at("mnemonic") == mnemonic);

    requireUserError(fx.keys({"list", "-o", "yaml"}), "yaml");
}

TEST_CASE("agora keys takes every global flag from AGORA_* environment variables", "[cli][keys]") {
    CliFixture fx;
    const std::map<std::string, std::string> env{{"AGORA_KEYRING_DIR", fx.keyring().string()},
                                                 {"AGORA_PASSPHRASE_FILE", fx.passFile().string()},
                                                 {"AGORA_OUTPUT", "json"}};
    const RunResult add = fx.run({"keys", "add", "gina", "--recover"}, abandonArt(), env);
    INFO(add.err);
    REQUIRE(add.exitCode == 0);
    CHECK(nlohmann::json::parse(add.out).at("address") == kAbandonArtAddress);
    CHECK(fs::exists(fx.keyring() / "gina.json"));
    // A flag on the command line wins over the environment.
    const RunResult show = fx.run({"keys", "show", "gina", "-o", "text", "-a"}, "", env);
    CHECK(trimmed(show.out) == kAbandonArtAddress);
    // -y from AGORA_YES.
    auto envYes = env;
    envYes["AGORA_YES"] = "1";
    CHECK(fx.run({"keys", "delete", "gina"}, "", envYes).exitCode == 0);
    CHECK_FALSE(fs::exists(fx.keyring() / "gina.json"));
}

TEST_CASE("agora keys defaults the keyring to ~/.agora/keyring", "[cli][keys]") {
    CliFixture fx;
    const RunResult add =
        fx.run({"keys", "add", "home", "--recover", "--passphrase-file", fx.passFile().string()}, abandonArt());
    REQUIRE(add.exitCode == 0);
    CHECK(fs::exists(fx.root() / "home" / ".agora" / "keyring" / "home.json"));
}

TEST_CASE("agora keys rejects bad names, duplicates and unknown commands with exit 1", "[cli][keys]") {
    CliFixture fx;
    requireUserError(fx.keys({"add", "../evil"}), "invalid key name");
    REQUIRE(fx.keys({"add", "ok", "--recover"}, abandonArt()).exitCode == 0);
    requireUserError(fx.keys({"add", "ok", "--recover"}, abandonArt()), "key already exists: ok");
    requireUserError(fx.run({"keys"}), "subcommand");
    requireUserError(fx.run({"keys", "frobnicate"}), "frobnicate");
    const RunResult help = fx.run({"keys", "--help"});
    CHECK(help.exitCode == 0);
    CHECK(help.out.find("add") != std::string::npos);
}

TEST_CASE("agora keys reports a truncated key file as corrupt and leaves it untouched", "[cli][keys]") {
    CliFixture fx;
    REQUIRE(fx.keys({"add", "hal", "--recover"}, abandonArt()).exitCode == 0);
    const fs::path file = fx.keyring() / "hal.json";
    const std::string full = readFile(file);
    const std::string truncated = full.substr(0, full.size() / 2);
    writeFile(file, truncated);

    requireUserError(fx.keys({"show", "hal"}), "corrupt key file");
    requireUserError(fx.keys({"export", "hal"}), "corrupt key file");
    CHECK(readFile(file) == truncated);

    REQUIRE(fx.keys({"add", "ivy"}).exitCode == 0);
    const RunResult list = fx.keys({"list"});
    CHECK(list.exitCode == 0);
    CHECK(list.out.find("ivy") != std::string::npos);
    CHECK(list.err.find("warning: skipped corrupt key file") != std::string::npos);
    CHECK(readFile(file) == truncated);
}
