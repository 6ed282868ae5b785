#include "node/base/Logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <cstdio>

namespace agora::node {

namespace {

// The log message as the body of a JSON string: quotes, backslashes and
// control characters escaped, so every line of `log_format = "json"` parses.
// Bytes >= 0x80 pass through (messages are UTF-8).
class JsonEscapedMessage final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
        appendJsonEscaped(std::string_view(msg.payload.data(), msg.payload.size()), dest);
    }
    std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonEscapedMessage>(); }

private:
    static void appendJsonEscaped(std::string_view text, spdlog::memory_buf_t& dest) {
        for (const char c : text) {
            switch (c) {
                case '"':
                    dest.append(std::string_view("\\\""));
                    break;
                case '\\':
                    dest.append(std::string_view("\\\\"));
                    break;
                case '\n':
                    dest.append(std::string_view("\\n"));
                    break;
                case '\r':
                    dest.append(std::string_view("\\r"));
                    break;
                case '\t':
                    dest.append(std::string_view("\\t"));
                    break;
                default:
                    if (static_cast<unsigned char>(c) < 0x20) {
                        char buf[8];
                        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
                        dest.append(std::string_view(buf, 6));
                    } else {
                        dest.push_back(c);
                    }
            }
        }
    }
};

}  // namespace

std::unique_ptr<spdlog::formatter> makeLogFormatter(const std::string& format) {
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    if (format == "json") {
        formatter->add_flag<JsonEscapedMessage>('*').set_pattern(
            R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","module":"%n","msg":"%*"})");
    } else {
        formatter->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ [%n] %v");
    }
    return formatter;
}

void setupLogging(const std::string& level, const std::string& format) {
    auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    const auto lvl = spdlog::level::from_str(level);
    for (const char* name : {"node", "consensus", "app", "rpc", "mempool", "p2p", "sync", "provider"}) {
        spdlog::drop(name);
        auto logger = std::make_shared<spdlog::logger>(name, sink);
        logger->set_level(lvl);
        logger->set_formatter(makeLogFormatter(format));
        spdlog::register_logger(logger);
    }
    spdlog::set_default_logger(spdlog::get("node"));
}

}  // namespace agora::node
