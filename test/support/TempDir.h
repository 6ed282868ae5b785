#pragma once
// A fresh directory under the system temp dir, removed with its contents.

#include <atomic>
#include <filesystem>
#include <string>

#include <unistd.h>

namespace agora::test {

class TempDir {
public:
    explicit TempDir(const std::string& tag) {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("agora-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string path(const std::string& child = "db") const { return (path_ / child).string(); }

private:
    std::filesystem::path path_;
};

}  // namespace agora::test
