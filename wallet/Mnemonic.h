#pragma once
// BIP-39 mnemonics with the English word list. Generation makes 24 words
// (256 bits of OS entropy); parsing accepts 12, 15, 18, 21 or 24 words and
// reports a wrong word count, an unknown word or a bad checksum as distinct
// errors. The seed is PBKDF2-HMAC-SHA512(phrase, "mnemonic" + passphrase,
// 2048 rounds). Passphrases are used as given (UTF-8 bytes, no NFKD
// normalisation: an ASCII passphrase is unaffected).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "consensus/core/Bytes.h"
#include "consensus/core/Expected.h"
#include "wallet/WalletError.h"

namespace agora::wallet {

class Mnemonic {
public:
    static constexpr std::size_t kDefaultWords = 24;
    using Seed = std::array<std::uint8_t, 64>;

    // 16..32 bytes in steps of 4 -> 12..24 words.
    static Expected<Mnemonic, WalletError> fromEntropy(ByteSpan entropy);
    // 24 words from the OS CSPRNG.
    static Mnemonic generate();
    // Words separated by any whitespace; upper case is folded to lower case.
    static Expected<Mnemonic, WalletError> parse(std::string_view text);

    Mnemonic(Mnemonic&&) noexcept = default;
    Mnemonic& operator=(Mnemonic&&) noexcept = default;
    Mnemonic(const Mnemonic&) = default;
    Mnemonic& operator=(const Mnemonic&) = default;
    ~Mnemonic();

    // Canonical form: lower-case words joined by single spaces.
    const std::string& phrase() const { return phrase_; }
    std::size_t wordCount() const;
    Bytes entropy() const;
    Seed toSeed(std::string_view passphrase) const;

private:
    explicit Mnemonic(std::string phrase) : phrase_(std::move(phrase)) {}
    std::string phrase_;
};

}  // namespace agora::wallet
