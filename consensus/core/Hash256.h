#pragma once
// Hash256: a 32-byte SHA-256 digest, and the SHA-256 functions (Crypto++).

#include <memory>

#include "consensus/core/Bytes.h"
#include "consensus/core/FixedBytes.h"

namespace agora {

class Hash256 : public FixedBytes<Hash256, 32> {
public:
    using FixedBytes::FixedBytes;
};

// SHA-256 of one buffer.
Hash256 sha256(ByteSpan data);

// Incremental SHA-256 over several buffers.
class Sha256Hasher {
public:
    Sha256Hasher();
    ~Sha256Hasher();
    Sha256Hasher(const Sha256Hasher&) = delete;
    Sha256Hasher& operator=(const Sha256Hasher&) = delete;

    Sha256Hasher& update(ByteSpan data);
    Hash256 finish();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace agora
