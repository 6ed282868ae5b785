#include "node/cli/ManifestFile.h"

#include <fstream>
#include <string_view>

#include "node/cli/CliError.h"

namespace agora::node::cli {

std::string manifestErrorText(const std::string& path, const manifest::ManifestError& e) {
    return "manifest " + path + ": " + std::string(manifest::manifestErrorCodeName(e.code)) + ": " + e.message;
}

ManifestFile readManifestFile(const std::string& path) {
    ManifestFile f;
    f.path = path;
    std::ifstream in(path, std::ios::binary);
    std::string text;
    if (in) {
        text.assign(manifest::kMaxManifestBytes + 1, '\0');
        in.read(text.data(), static_cast<std::streamsize>(text.size()));
        if (in.bad()) text.clear();
        text.resize(static_cast<std::size_t>(in.gcount()));
    }
    if (!in.good() && !in.eof()) {
        // Not readable: loadManifestFile words why (missing, a directory, ...).
        auto loaded = manifest::loadManifestFile(path);
        if (!loaded) throw CliError(manifestErrorText(path, loaded.error()));
        throw CliError("manifest " + path + ": cannot read");
    }
    if (text.size() > manifest::kMaxManifestBytes)
        throw CliError("manifest " + path + ": too_large: more than " + std::to_string(manifest::kMaxManifestBytes) +
                       " bytes");
    auto parsed = manifest::parseManifest(text);
    if (!parsed) throw CliError(manifestErrorText(path, parsed.error()));
    f.bytes.assign(text.begin(), text.end());
    f.manifest = std::move(*parsed);
    f.hash = manifest::manifestHash(f.manifest);
    return f;
}

}  // namespace agora::node::cli
