#pragma once
// Files compiled into agorad at build time (cmake/EmbedFiles.cmake, wired in
// node/CMakeLists.txt): the explorer's static files (node/http/explorer/) and
// the OpenAPI document of the REST API (node/http/openapi.json). Nothing is
// read from disk or the network at run time.

#include <cstdint>
#include <span>
#include <string_view>

namespace agora::node {

struct EmbeddedFile {
    std::string_view name;  // file name relative to its folder, e.g. "app.js"
    std::span<const std::uint8_t> bytes;
};

// Every file of node/http/explorer/, by name.
std::span<const EmbeddedFile> explorerFiles();
// node/http/openapi.json (one entry).
std::span<const EmbeddedFile> openApiFiles();

}  // namespace agora::node
