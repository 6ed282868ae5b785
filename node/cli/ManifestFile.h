#pragma once
// ManifestFile: a manifest file's bytes as written and what they parse to.
// `agora deploy` and `agora lease send-manifest` send exactly these bytes, so
// the hash they put on chain is the hash of what the agent receives.

#include <string>

#include "consensus/core/Bytes.h"
#include "consensus/core/Hash256.h"
#include "node/manifest/Manifest.h"

namespace agora::node::cli {

struct ManifestFile {
    std::string path;
    Bytes bytes;
    manifest::Manifest manifest;
    Hash256 hash;  // manifest::manifestHash(manifest)
};

// Reads at most kMaxManifestBytes and parses them. CliError naming the file,
// the error code, the field and the line ("manifest bad.yaml: invalid_value:
// line 5: services.main.command: ...") on failure.
ManifestFile readManifestFile(const std::string& path);

// "manifest FILE: CODE: MESSAGE" for a parse or check failure.
std::string manifestErrorText(const std::string& path, const manifest::ManifestError& e);

}  // namespace agora::node::cli
