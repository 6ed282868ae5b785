#pragma once
// Errors of the state store and the authenticated tree. The numeric codes are
// stable (logs, RPC status details); never renumber.

#include <cstdint>
#include <string>
#include <string_view>

namespace agora::state {

enum class StoreErrorCode : std::uint16_t {
    VersionNotIncreasing = 1,  // commit version <= the latest committed one
    UnknownVersion = 2,        // never committed (or in a gap between versions)
    PrunedVersion = 3,         // committed once, its tree nodes since pruned
    CorruptData = 4,           // a stored record is missing or does not decode
    IoError = 5,               // the storage engine reported a failure
    ReservedKeySpace = 6,      // caller's extra write lands in a state-owned key space
    StalePreparedCommit = 7,   // another commit happened after prepare()
    IncompatibleFormat = 8,    // on-disk format version this build does not know
};

inline std::string_view errorName(StoreErrorCode c) {
    switch (c) {
        case StoreErrorCode::VersionNotIncreasing:
            return "version not increasing";
        case StoreErrorCode::UnknownVersion:
            return "unknown version";
        case StoreErrorCode::PrunedVersion:
            return "pruned version";
        case StoreErrorCode::CorruptData:
            return "corrupt data";
        case StoreErrorCode::IoError:
            return "i/o error";
        case StoreErrorCode::ReservedKeySpace:
            return "reserved key space";
        case StoreErrorCode::StalePreparedCommit:
            return "stale prepared commit";
        case StoreErrorCode::IncompatibleFormat:
            return "incompatible format";
    }
    return "unknown store error";
}

struct StoreError {
    StoreErrorCode code;
    std::string detail;
    std::string message() const { return std::string(errorName(code)) + ": " + detail; }
};

}  // namespace agora::state
