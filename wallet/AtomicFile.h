#pragma once
// Whole-file reads and crash-safe writes for small secret files. A write goes
// to a temporary file in the same directory (mode 0600), is fsynced, then
// renamed (or hard-linked when the target must not exist) over the final
// name, and the directory is fsynced: a crash leaves the old file or the new
// one, never a torn one.

#include <filesystem>
#include <string>
#include <string_view>

#include "consensus/core/Expected.h"
#include "wallet/WalletError.h"

namespace agora::wallet {

enum class WriteMode {
    CreateNew,  // KeyExists when the target exists
    Replace,
};

Expected<void, WalletError> writeFileAtomic(const std::filesystem::path& path, std::string_view content,
                                            WriteMode mode);

// Io when unreadable, CorruptKeyFile when larger than maxBytes.
Expected<std::string, WalletError> readSmallFile(const std::filesystem::path& path, std::size_t maxBytes);

}  // namespace agora::wallet
