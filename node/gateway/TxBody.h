#pragma once
// The body of POST /v1/txs (docs/api.md):
//   {"tx": "<signed tx>", "encoding": "hex" | "base64", "mode": "sync" | "commit", "timeout_ms": N}
// Only "tx" is required. Without "encoding", a tx that is valid hex is hex,
// anything else is read as base64 (standard alphabet, padding optional).
// mode defaults to sync; timeout_ms (commit mode) defaults to 30 s and is
// capped to maxWaitMs. Unknown fields are errors.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "consensus/core/Bytes.h"
#include "consensus/core/Expected.h"

namespace agora::node {

struct TxBody {
    Bytes tx;
    bool commit = false;
    std::uint32_t timeoutMs = 30'000;
};

Expected<TxBody, std::string> parseTxBody(std::string_view body, std::uint32_t maxWaitMs);

// Standard base64 (RFC 4648), padding optional; nullopt on any other character.
std::optional<Bytes> decodeBase64(std::string_view text);

}  // namespace agora::node
