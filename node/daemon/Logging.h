#pragma once
// Per-module loggers (spdlog): "node", "consensus", "app", "rpc", "mempool".
// agorad creates them on one stderr sink with the configured level and format
// (text, or one JSON object per line); code that runs without agorad (tests)
// falls back to spdlog's default logger.

#include <memory>
#include <spdlog/spdlog.h>
#include <string>

namespace agora::node {

inline std::shared_ptr<spdlog::logger> moduleLog(const char* module) {
    auto l = spdlog::get(module);
    return l ? l : spdlog::default_logger();
}

// Creates the module loggers; level: trace..error; format: text|json.
void setupLogging(const std::string& level, const std::string& format);

}  // namespace agora::node
