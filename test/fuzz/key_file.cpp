// Fuzz target: an encrypted key file (keyring/*.json) as read from disk.
// Properties: a file that parses has scrypt parameters within the documented
// bounds (a hostile file cannot ask for a huge N, r or p), and it prints to
// JSON that parses to the same file. Decryption is tried only with cheap
// parameters (logN <= 4) so a run stays fast; a wrong tag must be an error.
#include "test/fuzz/FuzzCheck.h"
#include "wallet/KeyFile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace agora;
    if (size > wallet::kKeyFileMaxBytes) return 0;  // load() refuses larger files before parsing
    auto f = wallet::KeyFile::fromJson(fuzz::textOf(data, size));
    if (!f) return 0;
    fuzz::require(f->kdf().isAcceptable(), "key file accepted with scrypt parameters out of bounds");
    const std::string json = f->toJson();
    auto again = wallet::KeyFile::fromJson(json);
    fuzz::require(again.hasValue() && again->toJson() == json, "key file does not round-trip through JSON");
    fuzz::require(again->address() == f->address() && again->kdf() == f->kdf(), "key file header changed");
    if (f->kdf().logN <= 4 && f->kdf().r * f->kdf().p <= 16) (void)f->decrypt("fuzz");
    return 0;
}
