#pragma once
// Base58Check encoding (Bitcoin alphabet, 4-byte double-SHA-256 checksum).
// Only used to print BIP-32 extended keys.

#include <string>

#include "consensus/core/Bytes.h"

namespace agora::wallet {

std::string base58CheckEncode(ByteSpan payload);

}  // namespace agora::wallet
