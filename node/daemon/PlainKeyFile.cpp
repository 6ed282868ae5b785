#include "node/daemon/PlainKeyFile.h"

#include <nlohmann/json.hpp>

#include "consensus/core/Address.h"
#include "node/base/NodeId.h"
#include "wallet/AtomicFile.h"

namespace agora::node {

Expected<void, std::string> writeKeyFile(const std::filesystem::path& path, const wallet::SecretKey& key,
                                         KeyFileKind kind) {
    nlohmann::json j;
    j["type"] = "schnorr-secp256k1";
    const PublicKey pub = key.publicKey();
    j["address"] =
        Address::fromPublicKey(pub).toBech32(kind == KeyFileKind::Validator ? kValidatorPrefix : kAccountPrefix);
    j["public_key"] = pub.toHex();
    j["secret_key"] = key.toHex();
    if (kind == KeyFileKind::Node) j["node_id"] = nodeIdOf(pub);
    auto written = wallet::writeFileAtomic(path, j.dump(2) + "\n", wallet::WriteMode::CreateNew);
    if (!written) return Unexpected(path.string() + ": " + written.error().message());
    return {};
}

Expected<wallet::SecretKey, std::string> loadKeyFile(const std::filesystem::path& path) {
    auto text = wallet::readSmallFile(path, 64 * 1024);
    if (!text) return Unexpected(path.string() + ": " + text.error().message());
    nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("secret_key") || !j["secret_key"].is_string())
        return Unexpected(path.string() + ": not a key file (expected JSON with secret_key)");
    auto key = wallet::SecretKey::fromHex(j["secret_key"].get<std::string>());
    if (!key) return Unexpected(path.string() + ": invalid secret_key");
    if (j.contains("public_key") && j["public_key"] != key->publicKey().toHex())
        return Unexpected(path.string() + ": public_key does not match secret_key");
    return std::move(*key);
}

}  // namespace agora::node
