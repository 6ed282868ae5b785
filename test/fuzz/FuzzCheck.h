#pragma once
// Helpers shared by the libFuzzer targets (docs/fuzzing.md). A violated
// property aborts through __builtin_trap(), which libFuzzer reports as a
// crash and saves the input for.

#include <unistd.h>
#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <string_view>

#include "consensus/core/Codec.h"

namespace agora::fuzz {

// A property every input must keep; a violation is a finding.
inline void require(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "fuzz property violated: %s\n", what);
        __builtin_trap();
    }
}

inline ByteSpan bytesOf(const std::uint8_t* data, std::size_t size) {
    return ByteSpan(data, size);
}

inline std::string_view textOf(const std::uint8_t* data, std::size_t size) {
    return std::string_view(reinterpret_cast<const char*>(data), size);
}

// The canonical codec's contract for a type T: whatever decodes re-encodes to
// exactly the input bytes (one encoding per value), and the re-encoding
// decodes to an equal value.
template <typename T>
void checkCanonical(ByteSpan in) {
    auto decoded = decode<T>(in);
    if (!decoded) return;
    const Bytes again = encode(*decoded);
    require(again.size() == in.size() && std::equal(again.begin(), again.end(), in.begin()),
            "decoded value re-encodes to different bytes (non-canonical input accepted)");
    auto twice = decode<T>(again);
    require(twice.hasValue(), "re-encoded value does not decode");
    if constexpr (std::equality_comparable<T>) {
        require(*twice == *decoded, "re-encoded value decodes to a different value");
    }
}

// A scratch file private to this fuzzing process, for parsers that read a
// path. Rewritten on every input; the folder lives under TMPDIR.
class ScratchFile {
public:
    explicit ScratchFile(std::string_view name) {
        const char* tmp = std::getenv("TMPDIR");
        dir_ = std::filesystem::path(tmp != nullptr ? tmp : "/tmp") / ("agora-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        path_ = dir_ / std::string(name);
    }
    ScratchFile(const ScratchFile&) = delete;
    ScratchFile& operator=(const ScratchFile&) = delete;
    ~ScratchFile() {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    const std::filesystem::path& write(const std::uint8_t* data, std::size_t size) {
        std::ofstream out(path_, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
        return path_;
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path dir_;
    std::filesystem::path path_;
};

}  // namespace agora::fuzz
