#include "node/gatewayauth/GatewayAuth.h"

#include "consensus/core/Codec.h"
#include "consensus/core/SignDigest.h"
#include "wallet/SecretKey.h"

namespace agora::provider {

Hash256 gatewayDigest(std::string_view chainId, std::string_view kind, std::uint64_t leaseId, const Hash256& bodyHash,
                      std::uint64_t timestampMs) {
    Writer w;
    w.string(kind);
    w.u64(leaseId);
    w.raw(bodyHash.span());
    w.u64(timestampMs);
    return signDigest(kGatewayDomain, chainId, w.data());
}

Hash256 statusBodyHash() {
    return sha256(ByteSpan{});
}

Hash256 logsBodyHash(std::string_view service, std::uint32_t tailLines, bool follow) {
    Writer w;
    w.string(service);
    w.u32(tailLines);
    w.boolean(follow);
    return sha256(w.data());
}

Hash256 eventsBodyHash(bool follow) {
    Writer w;
    w.boolean(follow);
    return sha256(w.data());
}

GatewayAuth signGatewayRequest(const wallet::SecretKey& key, std::string_view chainId, std::string_view kind,
                               std::uint64_t leaseId, const Hash256& bodyHash, std::uint64_t timestampMs) {
    const Hash256 digest = gatewayDigest(chainId, kind, leaseId, bodyHash, timestampMs);
    return GatewayAuth{key.publicKey(), timestampMs, key.sign(digest.span())};
}

std::string_view gatewayAuthErrorName(GatewayAuthError e) {
    switch (e) {
        case GatewayAuthError::Missing:
            return "missing or malformed client auth";
        case GatewayAuthError::Expired:
            return "request timestamp outside the accepted window (check the client's clock)";
        case GatewayAuthError::BadSignature:
            return "signature does not verify";
    }
    return "unknown";
}

Expected<Address, GatewayAuthError> verifyGatewayRequest(const GatewayAuth& auth, std::string_view chainId,
                                                         std::string_view kind, std::uint64_t leaseId,
                                                         const Hash256& bodyHash, std::uint64_t nowMs,
                                                         std::uint64_t windowMs) {
    if (!auth.publicKey.isValid()) return Unexpected(GatewayAuthError::Missing);
    const std::uint64_t skew = nowMs > auth.timestampMs ? nowMs - auth.timestampMs : auth.timestampMs - nowMs;
    if (skew > windowMs) return Unexpected(GatewayAuthError::Expired);
    const Hash256 digest = gatewayDigest(chainId, kind, leaseId, bodyHash, auth.timestampMs);
    if (!verifySchnorr(auth.publicKey, digest.span(), auth.signature))
        return Unexpected(GatewayAuthError::BadSignature);
    return Address::fromPublicKey(auth.publicKey);
}

}  // namespace agora::provider
