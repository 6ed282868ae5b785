#include "wallet/SecureRandom.h"

#include <sys/random.h>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace agora::wallet {

void fillSecureRandom(std::span<std::uint8_t> out) {
    std::size_t done = 0;
    while (done < out.size()) {
        // Flags 0: block until the pool is initialised, then never block.
        const ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            std::fputs("agora: getrandom failed; refusing to continue without OS randomness\n", stderr);
            std::abort();
        }
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace agora::wallet
