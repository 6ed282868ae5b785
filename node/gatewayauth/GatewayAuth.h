#pragma once
// Authentication of provider-gateway requests (proto/agora/provider/v1/gateway.proto,
// docs/provider.md "Gateway authentication"). Shared by the client CLI, which
// signs, and the agent's gateway, which verifies.
//
// The signed digest is signDigest("agora/provider-gateway/v1", chain_id,
// string(kind) || u64(lease_id) || body_hash || u64(timestamp_ms)): it binds the
// request to one chain, one lease, one kind of call and one body, inside a
// time window, so a captured request cannot be replayed elsewhere or later.

#include <cstdint>
#include <string>
#include <string_view>

#include "consensus/core/Address.h"
#include "consensus/core/Expected.h"
#include "consensus/core/Hash256.h"
#include "consensus/core/PublicKey.h"

namespace agora::wallet {
class SecretKey;
}

namespace agora::provider {

inline constexpr std::string_view kGatewayDomain = "agora/provider-gateway/v1";

namespace gateway_kind {
inline constexpr std::string_view kSendManifest = "send_manifest";
inline constexpr std::string_view kLeaseStatus = "lease_status";
inline constexpr std::string_view kLeaseLogs = "lease_logs";
inline constexpr std::string_view kLeaseEvents = "lease_events";
}  // namespace gateway_kind

struct GatewayAuth {
    PublicKey publicKey;
    std::uint64_t timestampMs = 0;
    Signature signature;
};

Hash256 gatewayDigest(std::string_view chainId, std::string_view kind, std::uint64_t leaseId, const Hash256& bodyHash,
                      std::uint64_t timestampMs);

// Body hashes of the requests without a free-form body.
Hash256 statusBodyHash();
Hash256 logsBodyHash(std::string_view service, std::uint32_t tailLines, bool follow);
Hash256 eventsBodyHash(bool follow);

GatewayAuth signGatewayRequest(const wallet::SecretKey& key, std::string_view chainId, std::string_view kind,
                               std::uint64_t leaseId, const Hash256& bodyHash, std::uint64_t timestampMs);

enum class GatewayAuthError : std::uint8_t {
    Missing = 1,       // no auth, a malformed key or signature
    Expired = 2,       // timestamp outside the window
    BadSignature = 3,  // does not verify over the digest
};
std::string_view gatewayAuthErrorName(GatewayAuthError e);

// Verifies the signature and the window; returns the signer's address, which
// the caller compares with the lease's client.
Expected<Address, GatewayAuthError> verifyGatewayRequest(const GatewayAuth& auth, std::string_view chainId,
                                                         std::string_view kind, std::uint64_t leaseId,
                                                         const Hash256& bodyHash, std::uint64_t nowMs,
                                                         std::uint64_t windowMs);

}  // namespace agora::provider
