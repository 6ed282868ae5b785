#pragma once
// A fresh directory under the system temp dir, removed with its contents
// when the object dies.

#include <cstdlib>
#include <filesystem>
#include <string>

namespace agora::wallet::test {

class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "agora-wallet-test-XXXXXX").string();
        char* p = ::mkdtemp(tmpl.data());
        if (p == nullptr) std::abort();
        path_ = p;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace agora::wallet::test
