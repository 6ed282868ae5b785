#include "consensus/core/Hash256.h"

#include <algorithm>
#include <cryptopp/sha.h>

namespace agora {

std::optional<Hash256> Hash256::fromSpan(ByteSpan bytes) {
    if (bytes.size() != kSize) return std::nullopt;
    Hash256 h;
    std::copy(bytes.begin(), bytes.end(), h.bytes_.begin());
    return h;
}

std::optional<Hash256> Hash256::fromHex(std::string_view hex) {
    auto raw = agora::fromHex(hex);
    if (!raw) return std::nullopt;
    return fromSpan(*raw);
}

bool Hash256::isZero() const {
    return std::all_of(bytes_.begin(), bytes_.end(), [](std::uint8_t b) { return b == 0; });
}

std::string Hash256::toHex() const { return agora::toHex(span()); }

Hash256 sha256(ByteSpan data) {
    Hash256 out;
    CryptoPP::SHA256().CalculateDigest(out.data(), data.data(), data.size());
    return out;
}

struct Sha256Hasher::Impl {
    CryptoPP::SHA256 sha;
};

Sha256Hasher::Sha256Hasher() : impl_(new Impl) {}
Sha256Hasher::~Sha256Hasher() { delete impl_; }

Sha256Hasher& Sha256Hasher::update(ByteSpan data) {
    impl_->sha.Update(data.data(), data.size());
    return *this;
}

Hash256 Sha256Hasher::finish() {
    Hash256 out;
    impl_->sha.Final(out.data());
    return out;
}

}  // namespace agora
