#include "wallet/Keyring.h"

#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "wallet/KeyFile.h"

namespace agora::wallet {
namespace {

constexpr std::string_view kExtension = ".json";

KeyInfo infoOf(std::string name, const KeyFile& f) {
    return KeyInfo{std::move(name), f.address(), f.publicKey(), f.hdPath()};
}

}  // namespace

std::filesystem::path Keyring::defaultDir() {
    const char* home = std::getenv("HOME");
    std::filesystem::path base = (home != nullptr && *home != '\0') ? std::filesystem::path(home) : ".";
    return base / ".agora" / "keyring";
}

Expected<void, WalletError> Keyring::validateName(std::string_view name) {
    auto bad = [name](const char* why) {
        return Unexpected(WalletError{WalletErrc::InvalidKeyName, "'" + std::string(name) + "': " + why});
    };
    if (name.empty() || name.size() > 64) return bad("must be 1 to 64 characters");
    if (name[0] == '.' || name[0] == '-') return bad("must not start with '.' or '-'");
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '_' || c == '-';
        if (!ok) return bad("allowed characters are A-Z a-z 0-9 . _ -");
    }
    return {};
}

std::filesystem::path Keyring::pathOf(std::string_view name) const {
    return dir_ / (std::string(name) + std::string(kExtension));
}

bool Keyring::contains(std::string_view name) const {
    std::error_code ec;
    return validateName(name).hasValue() && std::filesystem::is_regular_file(pathOf(name), ec);
}

Expected<void, WalletError> Keyring::ensureDir() const {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) return Unexpected(WalletError{WalletErrc::Io, "cannot create " + dir_.string() + ": " + ec.message()});
    // Only the owner may list key names.
    ::chmod(dir_.c_str(), 0700);
    return {};
}

Expected<KeyInfo, WalletError> Keyring::add(std::string_view name, const KeyMaterial& material,
                                            std::string_view passphrase) {
    if (auto v = validateName(name); !v) return Unexpected(v.error());
    if (contains(name)) return Unexpected(WalletError{WalletErrc::KeyExists, std::string(name)});
    if (auto d = ensureDir(); !d) return Unexpected(d.error());
    auto file = KeyFile::encrypt(material, passphrase, kdf_);
    if (!file) return Unexpected(file.error());
    if (auto s = file->save(pathOf(name), WriteMode::CreateNew); !s) {
        if (s.error().code == WalletErrc::KeyExists)
            return Unexpected(WalletError{WalletErrc::KeyExists, std::string(name)});
        return Unexpected(s.error());
    }
    return infoOf(std::string(name), *file);
}

Expected<KeyInfo, WalletError> Keyring::info(std::string_view name) const {
    if (auto v = validateName(name); !v) return Unexpected(v.error());
    if (!contains(name)) return Unexpected(WalletError{WalletErrc::KeyNotFound, std::string(name)});
    auto file = KeyFile::load(pathOf(name));
    if (!file) return Unexpected(file.error());
    return infoOf(std::string(name), *file);
}

Expected<KeyListing, WalletError> Keyring::list() const {
    KeyListing out;
    std::error_code ec;
    if (!std::filesystem::exists(dir_, ec)) return out;  // nothing added yet
    std::filesystem::directory_iterator it(dir_, ec);
    if (ec) return Unexpected(WalletError{WalletErrc::Io, "cannot list " + dir_.string() + ": " + ec.message()});
    for (const auto& entry : it) {
        const std::string file = entry.path().filename().string();
        if (file.size() <= kExtension.size() || !file.ends_with(kExtension)) continue;
        const std::string name = file.substr(0, file.size() - kExtension.size());
        if (!validateName(name) || !entry.is_regular_file(ec)) continue;
        auto kf = KeyFile::load(entry.path());
        if (!kf) {
            out.unreadable.push_back(kf.error());
            continue;
        }
        out.keys.push_back(infoOf(name, *kf));
    }
    std::sort(out.keys.begin(), out.keys.end(), [](const KeyInfo& a, const KeyInfo& b) { return a.name < b.name; });
    return out;
}

Expected<KeyMaterial, WalletError> Keyring::unlock(std::string_view name, std::string_view passphrase) const {
    if (auto v = validateName(name); !v) return Unexpected(v.error());
    if (!contains(name)) return Unexpected(WalletError{WalletErrc::KeyNotFound, std::string(name)});
    auto file = KeyFile::load(pathOf(name));
    if (!file) return Unexpected(file.error());
    return file->decrypt(passphrase);
}

Expected<void, WalletError> Keyring::remove(std::string_view name) {
    if (auto v = validateName(name); !v) return Unexpected(v.error());
    if (!contains(name)) return Unexpected(WalletError{WalletErrc::KeyNotFound, std::string(name)});
    const auto path = pathOf(name);
    if (::unlink(path.c_str()) != 0) {
        return Unexpected(WalletError{WalletErrc::Io, "cannot delete " + path.string() + ": " + std::strerror(errno)});
    }
    return {};
}

}  // namespace agora::wallet
