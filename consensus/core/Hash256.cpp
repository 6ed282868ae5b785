#include "consensus/core/Hash256.h"

#include <cryptopp/sha.h>

namespace agora {

Hash256 sha256(ByteSpan data) {
    Hash256 out;
    CryptoPP::SHA256().CalculateDigest(out.data(), data.data(), data.size());
    return out;
}

struct Sha256Hasher::Impl {
    CryptoPP::SHA256 sha;
};

Sha256Hasher::Sha256Hasher() : impl_(std::make_unique<Impl>()) {}
Sha256Hasher::~Sha256Hasher() = default;

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
