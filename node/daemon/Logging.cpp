#include "node/daemon/Logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace agora::node {

void setupLogging(const std::string& level, const std::string& format) {
    auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    const auto lvl = spdlog::level::from_str(level);
    const std::string pattern = format == "json"
                                    ? R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","module":"%n","msg":"%v"})"
                                    : "%Y-%m-%d %H:%M:%S.%e %^%-5l%$ [%n] %v";
    for (const char* name : {"node", "consensus", "app", "rpc", "mempool", "p2p", "sync"}) {
        spdlog::drop(name);
        auto logger = std::make_shared<spdlog::logger>(name, sink);
        logger->set_level(lvl);
        logger->set_pattern(pattern);
        spdlog::register_logger(logger);
    }
    spdlog::set_default_logger(spdlog::get("node"));
}

}  // namespace agora::node
