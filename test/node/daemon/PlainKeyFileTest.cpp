#include <sys/stat.h>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "node/base/NodeId.h"
#include "node/daemon/PlainKeyFile.h"

using namespace agora;
using namespace agora::node;
namespace fs = std::filesystem;

namespace {
fs::path tempDir(const std::string& name) {
    auto dir = fs::temp_directory_path() / ("agora-keyfile-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}
}  // namespace

TEST_CASE("a node key file round-trips with mode 0600 and a 40-hex node id", "[keyfile]") {
    const auto dir = tempDir("roundtrip");
    const auto key = wallet::SecretKey::generate();
    REQUIRE(writeKeyFile(dir / "node_key.json", key, KeyFileKind::Node).hasValue());
    struct stat st {};
    REQUIRE(::stat((dir / "node_key.json").c_str(), &st) == 0);
    REQUIRE((st.st_mode & 0777) == 0600);
    auto loaded = loadKeyFile(dir / "node_key.json");
    REQUIRE(loaded.hasValue());
    REQUIRE(loaded->publicKey() == key.publicKey());
    REQUIRE(nodeIdOf(key.publicKey()).size() == 40);
    fs::remove_all(dir);
}

TEST_CASE("writing a key file never overwrites an existing one", "[keyfile]") {
    const auto dir = tempDir("exists");
    const auto a = wallet::SecretKey::generate();
    const auto b = wallet::SecretKey::generate();
    REQUIRE(writeKeyFile(dir / "k.json", a, KeyFileKind::Validator).hasValue());
    REQUIRE_FALSE(writeKeyFile(dir / "k.json", b, KeyFileKind::Validator).hasValue());
    REQUIRE(loadKeyFile(dir / "k.json")->publicKey() == a.publicKey());
    fs::remove_all(dir);
}

TEST_CASE("loading a corrupt or mismatched key file fails with a message naming the file", "[keyfile]") {
    const auto dir = tempDir("corrupt");
    std::ofstream(dir / "trunc.json") << "{\"secret_key\": \"00";
    auto r = loadKeyFile(dir / "trunc.json");
    REQUIRE_FALSE(r.hasValue());
    REQUIRE(r.error().find("trunc.json") != std::string::npos);

    const auto key = wallet::SecretKey::generate();
    std::ofstream(dir / "mismatch.json") << "{\"secret_key\": \"" << key.toHex() << "\", \"public_key\": \""
                                         << std::string(64, '0') << "\"}";
    REQUIRE(loadKeyFile(dir / "mismatch.json").error().find("does not match") != std::string::npos);
    REQUIRE_FALSE(loadKeyFile(dir / "missing.json").hasValue());
    fs::remove_all(dir);
}
