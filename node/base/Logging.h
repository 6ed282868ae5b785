#pragma once
// Per-module loggers (spdlog): "node", "consensus", "app", "rpc", "mempool", "p2p", "sync", "provider".
// agorad creates them on one stderr sink with the configured level and format
// (text, or one JSON object per line); code that runs without agorad (tests)
// falls back to spdlog's default logger.

#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>
#include <memory>
#include <string>

namespace agora::node {

inline std::shared_ptr<spdlog::logger> moduleLog(const char* module) {
    auto l = spdlog::get(module);
    return l ? l : spdlog::default_logger();
}

// The line formatter for `format`: text, or json (one object per line with
// time, level, module and the JSON-escaped message).
std::unique_ptr<spdlog::formatter> makeLogFormatter(const std::string& format);

// Creates the module loggers; level: trace..error; format: text|json.
void setupLogging(const std::string& level, const std::string& format);

}  // namespace agora::node
