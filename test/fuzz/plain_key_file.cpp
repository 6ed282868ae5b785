// Fuzz target: config/node_key.json and config/validator_key.json (plain
// secret keys in JSON), read by agorad at start.
// Properties: a file that loads writes back (writeKeyFile) to a file that
// loads to the same key.
#include "node/daemon/PlainKeyFile.h"
#include "test/fuzz/FuzzCheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace agora;
    static fuzz::ScratchFile file("node_key.json");
    static fuzz::ScratchFile copy("node_key_copy.json");
    auto key = node::loadKeyFile(file.write(data, size));
    if (!key) return 0;
    std::error_code ec;
    std::filesystem::remove(copy.path(), ec);
    fuzz::require(node::writeKeyFile(copy.path(), *key, node::KeyFileKind::Node).hasValue(), "key file not written");
    auto again = node::loadKeyFile(copy.path());
    fuzz::require(again.hasValue() && again->publicKey() == key->publicKey(), "key file does not round-trip");
    return 0;
}
