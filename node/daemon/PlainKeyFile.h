#pragma once
// Plain JSON key files of a node (config/node_key.json, validator_key.json),
// mode 0600, written atomically. Like CometBFT's priv_validator_key.json they
// are not encrypted: the daemon must start unattended; protect the home dir.
// (A user's key is the encrypted wallet/KeyFile.h.)
//
//   {"type": "schnorr-secp256k1", "address": "<bech32>", "public_key": "<hex>",
//    "secret_key": "<hex>", "node_id": "<40 hex>"}   (node_id on node keys)

#include <filesystem>
#include <string>

#include "consensus/core/Expected.h"
#include "wallet/SecretKey.h"

namespace agora::node {

enum class KeyFileKind { Node, Validator };

Expected<void, std::string> writeKeyFile(const std::filesystem::path& path, const wallet::SecretKey& key,
                                         KeyFileKind kind);
// Loads and checks that the stored public key and address match the secret.
Expected<wallet::SecretKey, std::string> loadKeyFile(const std::filesystem::path& path);

}  // namespace agora::node
