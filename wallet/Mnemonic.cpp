#include "wallet/Mnemonic.h"

#include <cryptopp/pwdbased.h>
#include <cryptopp/sha.h>
#include <algorithm>
#include <vector>

#include "consensus/core/Hash256.h"
#include "wallet/Bip39English.h"
#include "wallet/SecureRandom.h"
#include "wallet/Wipe.h"

namespace agora::wallet {
namespace {

constexpr unsigned kPbkdf2Rounds = 2048;

bool isValidWordCount(std::size_t n) {
    return n >= 12 && n <= 24 && n % 3 == 0;
}

// Index of word in the sorted list, or -1.
int wordIndex(std::string_view word) {
    const auto& words = bip39EnglishWords();
    auto it = std::lower_bound(words.begin(), words.end(), word);
    if (it == words.end() || *it != word) return -1;
    return static_cast<int>(it - words.begin());
}

bool bitAt(ByteSpan bytes, std::size_t i) {
    return ((bytes[i / 8] >> (7 - i % 8)) & 1U) != 0;
}

}  // namespace

Mnemonic::~Mnemonic() {
    wipe(phrase_);
}

Expected<Mnemonic, WalletError> Mnemonic::fromEntropy(ByteSpan entropy) {
    const std::size_t n = entropy.size();
    if (n < 16 || n > 32 || n % 4 != 0) {
        return Unexpected(WalletError{WalletErrc::InvalidEntropy, std::to_string(n) + " bytes"});
    }
    const Hash256 check = sha256(entropy);
    const std::size_t entBits = n * 8;
    const std::size_t csBits = entBits / 32;
    const std::size_t words = (entBits + csBits) / 11;
    std::string phrase;
    for (std::size_t w = 0; w < words; ++w) {
        unsigned idx = 0;
        for (std::size_t b = 0; b < 11; ++b) {
            const std::size_t bit = w * 11 + b;
            const bool v = bit < entBits ? bitAt(entropy, bit) : bitAt(check.span(), bit - entBits);
            idx = (idx << 1) | (v ? 1U : 0U);
        }
        if (w > 0) phrase += ' ';
        phrase += bip39EnglishWords()[idx];
    }
    return Mnemonic(std::move(phrase));
}

Mnemonic Mnemonic::generate() {
    auto entropy = secureRandomArray<32>();
    auto m = fromEntropy(entropy);
    wipe(entropy.data(), entropy.size());
    return std::move(m).value();
}

Expected<Mnemonic, WalletError> Mnemonic::parse(std::string_view text) {
    std::vector<std::string> words;
    std::string cur;
    for (char c : text) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            if (!cur.empty()) words.push_back(std::move(cur));
            cur.clear();
        } else {
            cur += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        }
    }
    if (!cur.empty()) words.push_back(std::move(cur));
    wipe(cur);

    auto fail = [&words](WalletErrc code, std::string detail) {
        for (auto& w : words) wipe(w);
        return Unexpected(WalletError{code, std::move(detail)});
    };
    if (!isValidWordCount(words.size())) {
        return fail(WalletErrc::MnemonicWordCount,
                    "expected 12, 15, 18, 21 or 24 words, got " + std::to_string(words.size()));
    }
    std::vector<unsigned> indices;
    for (std::size_t i = 0; i < words.size(); ++i) {
        const int idx = wordIndex(words[i]);
        if (idx < 0) {
            // Printing the word helps find a typo; a mistyped word is not a secret on its own.
            return fail(WalletErrc::MnemonicUnknownWord, "'" + words[i] + "' (word " + std::to_string(i + 1) + ")");
        }
        indices.push_back(static_cast<unsigned>(idx));
    }
    const std::size_t totalBits = words.size() * 11;
    const std::size_t csBits = totalBits / 33;
    const std::size_t entBits = totalBits - csBits;
    Bytes entropy(entBits / 8, 0);
    unsigned checksum = 0;
    for (std::size_t bit = 0; bit < totalBits; ++bit) {
        const bool v = ((indices[bit / 11] >> (10 - bit % 11)) & 1U) != 0;
        if (bit < entBits) {
            if (v) entropy[bit / 8] = static_cast<std::uint8_t>(entropy[bit / 8] | (0x80U >> (bit % 8)));
        } else {
            checksum = (checksum << 1) | (v ? 1U : 0U);
        }
    }
    const Hash256 h = sha256(entropy);
    const unsigned expected = static_cast<unsigned>(h.bytes()[0]) >> (8 - csBits);
    std::fill(indices.begin(), indices.end(), 0U);
    if (checksum != expected) {
        wipe(entropy);
        return fail(WalletErrc::MnemonicChecksum, "the words are valid but do not form a valid mnemonic");
    }
    std::string phrase;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (i > 0) phrase += ' ';
        phrase += words[i];
        wipe(words[i]);
    }
    wipe(entropy);
    return Mnemonic(std::move(phrase));
}

std::size_t Mnemonic::wordCount() const {
    return phrase_.empty() ? 0 : static_cast<std::size_t>(std::count(phrase_.begin(), phrase_.end(), ' ')) + 1;
}

Bytes Mnemonic::entropy() const {
    // phrase_ was validated on construction, so every word is known.
    std::vector<unsigned> indices;
    std::size_t start = 0;
    while (start <= phrase_.size()) {
        std::size_t end = phrase_.find(' ', start);
        if (end == std::string::npos) end = phrase_.size();
        indices.push_back(static_cast<unsigned>(wordIndex(std::string_view(phrase_).substr(start, end - start))));
        start = end + 1;
    }
    const std::size_t totalBits = indices.size() * 11;
    const std::size_t entBits = totalBits - totalBits / 33;
    Bytes out(entBits / 8, 0);
    for (std::size_t bit = 0; bit < entBits; ++bit) {
        if (((indices[bit / 11] >> (10 - bit % 11)) & 1U) != 0) {
            out[bit / 8] = static_cast<std::uint8_t>(out[bit / 8] | (0x80U >> (bit % 8)));
        }
    }
    return out;
}

Mnemonic::Seed Mnemonic::toSeed(std::string_view passphrase) const {
    std::string salt = "mnemonic";
    salt.append(passphrase);
    Seed seed{};
    CryptoPP::PKCS5_PBKDF2_HMAC<CryptoPP::SHA512> kdf;
    kdf.DeriveKey(seed.data(), seed.size(), 0, reinterpret_cast<const CryptoPP::byte*>(phrase_.data()), phrase_.size(),
                  reinterpret_cast<const CryptoPP::byte*>(salt.data()), salt.size(), kPbkdf2Rounds, 0.0);
    wipe(salt);
    return seed;
}

}  // namespace agora::wallet
