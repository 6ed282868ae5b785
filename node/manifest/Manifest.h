#pragma once
// The workload manifest: what a client wants run on a lease (docs/manifest.md).
// Edge code shared by the client CLI (`agora deploy`) and the provider agent;
// only its canonical hash goes on chain (job_create / lease_from_offer
// `manifest_hash`, carried by the lease).
//
// Parsing is strict: unknown fields, wrong types, out-of-range values and
// oversized input are errors that name the field path and, for YAML, the
// line (1-based). JSON is accepted too (YAML 1.2 is a superset of JSON).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/core/Bytes.h"
#include "consensus/core/Expected.h"
#include "consensus/core/Hash256.h"
#include "consensus/core/MarketTypes.h"

namespace agora::manifest {

inline constexpr std::size_t kMaxManifestBytes = 256 * 1024;
inline constexpr std::size_t kMaxServices = 16;
// Per-service bounds (docs/manifest.md). They keep a manifest's canonical form
// small and every runtime able to honour it (argv and environment size limits).
inline constexpr std::size_t kMaxServiceNameBytes = 63;
inline constexpr std::size_t kMaxCommandArgs = 256;
inline constexpr std::size_t kMaxArgBytes = 4096;
inline constexpr std::size_t kMaxEnvVars = 128;
inline constexpr std::size_t kMaxEnvKeyBytes = 128;
inline constexpr std::size_t kMaxEnvValueBytes = 16 * 1024;
inline constexpr std::size_t kMaxWorkdirBytes = 4096;
inline constexpr std::size_t kMaxPorts = 32;
inline constexpr std::size_t kMaxImageBytes = 1024;

enum class WorkloadKind : std::uint8_t {
    Batch = 0,    // runs to completion; exit 0 of every service ends the lease `completed`
    Service = 1,  // runs until the lease ends
};
std::string_view workloadKindName(WorkloadKind k);

struct Port {
    std::uint16_t port = 0;  // the port the service listens on (inside the sandbox it gets $PORT)
    std::string proto = "tcp";
    bool operator==(const Port&) const = default;
};

struct Service {
    std::string name;                        // map key in the file: [a-z0-9][a-z0-9-]{0,62}
    std::vector<std::string> command;        // argv, non-empty
    std::map<std::string, std::string> env;  // sorted by key (std::map)
    std::string workdir;                     // empty: the runtime's default work dir
    std::vector<Port> expose;                // strictly sorted by port
    std::string image;                       // image-based runtimes only; empty otherwise
    bool operator==(const Service&) const = default;
};

struct Manifest {
    std::uint32_t version = 1;
    WorkloadKind kind = WorkloadKind::Batch;
    Resources resources;            // what the workload needs; <= the job's
    std::vector<Service> services;  // strictly sorted by name, 1..kMaxServices
    bool operator==(const Manifest&) const = default;
};

// A parse or validation failure. `code` is stable (docs/manifest.md lists them);
// `field` is a dotted path ("services.main.command", list items as
// "command[2]"), empty when not about a field; `line` is 1-based, 0 when
// unknown (whole-file errors, checkAgainstJob). JSON input is parsed by the
// YAML parser, so it gets lines too.
enum class ManifestErrorCode : std::uint16_t {
    TooLarge = 1,  // input above kMaxManifestBytes
    Syntax = 2,    // not YAML / JSON (also: a duplicate key, more than one document, not UTF-8)
    UnknownField = 3,
    MissingField = 4,
    WrongType = 5,
    InvalidValue = 6,  // e.g. bad quantity "12Qi", bad service name, empty command
    UnsupportedVersion = 7,
    ExceedsJob = 8,  // resources above the job's (checkAgainstJob)
    Unreadable = 9,  // loadManifestFile: missing, a directory, or a read error
};
std::string_view manifestErrorCodeName(ManifestErrorCode c);  // "too_large", "syntax", ...

struct ManifestError {
    ManifestErrorCode code = ManifestErrorCode::Syntax;
    std::string field;
    std::size_t line = 0;
    std::string message;  // human-readable, includes field and line when known
};

// Parses YAML or JSON text. Quantities: cpu "500m" | "2" | 0.5 (cores; at most
// millicore precision) -> millicores; memory "256Mi" | "1Gi" | "512M" | bytes ->
// MiB (rounded up); storage "1Gi" ... -> GiB (rounded up); gpus {model: count}.
Expected<Manifest, ManifestError> parseManifest(std::string_view text);

// Reads a file (refusing more than kMaxManifestBytes: a regular file by its
// size before reading, anything else such as /dev/stdin by a bounded read)
// and parses it.
Expected<Manifest, ManifestError> loadManifestFile(const std::string& path);

// The canonical bytes (docs/manifest.md, byte for byte, with the project's
// canonical codec): independent of the input syntax, key order, comments and
// quantity spelling, so the same workload always hashes the same.
Bytes canonicalBytes(const Manifest& m);
Hash256 manifestHash(const Manifest& m);  // SHA-256 of canonicalBytes

// The manifest's resources must fit the job's / lease's (each dimension <=, each
// GPU model's count <=). Error code ExceedsJob naming the field.
Expected<void, ManifestError> checkAgainstJob(const Manifest& m, const Resources& jobResources);

}  // namespace agora::manifest
