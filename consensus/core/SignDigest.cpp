#include "consensus/core/SignDigest.h"

#include "consensus/core/Codec.h"

namespace agora {

Hash256 signDigest(std::string_view domain, std::string_view chainId, ByteSpan payload) {
    Writer prefix;
    prefix.string(domain);
    prefix.string(chainId);
    Sha256Hasher h;
    h.update(prefix.data());
    h.update(payload);
    return h.finish();
}

}  // namespace agora
