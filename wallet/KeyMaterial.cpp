#include "wallet/KeyMaterial.h"

#include "wallet/ExtendedKey.h"
#include "wallet/Wipe.h"

namespace agora::wallet {

Expected<KeyMaterial, WalletError> KeyMaterial::fromMnemonic(Mnemonic mnemonic, std::string_view path) {
    auto parsed = DerivationPath::parse(path);
    if (!parsed) return Unexpected(parsed.error());
    auto seed = mnemonic.toSeed("");
    auto master = ExtendedKey::fromSeed(seed);
    wipe(seed.data(), seed.size());
    if (!master) return Unexpected(master.error());
    auto child = master->derivePath(*parsed);
    if (!child) return Unexpected(child.error());
    return KeyMaterial{child->secretKey().copy(), std::move(mnemonic), parsed->toString()};
}

}  // namespace agora::wallet
