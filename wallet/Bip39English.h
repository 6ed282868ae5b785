#pragma once
// The BIP-39 English word list, embedded so no file is read at run time.
// Sorted, 2048 entries; the index of a word is its 11-bit value.

#include <array>
#include <string_view>

namespace agora::wallet {

const std::array<std::string_view, 2048>& bip39EnglishWords();

}  // namespace agora::wallet
