// The agorad log line formats (docs/operations.md): JSON lines must parse
// whatever the message holds.
#include <catch2/catch.hpp>

#include <spdlog/details/log_msg.h>
#include <spdlog/formatter.h>
#include <nlohmann/json.hpp>

#include "node/base/Logging.h"

using namespace agora;

namespace {

std::string formatLine(const std::string& format, const std::string& module, const std::string& message) {
    auto formatter = node::makeLogFormatter(format);
    spdlog::details::log_msg msg(module, spdlog::level::warn, message);
    spdlog::memory_buf_t out;
    formatter->format(msg, out);
    return std::string(out.data(), out.size());
}

}  // namespace

TEST_CASE("json log lines escape quotes, backslashes and control characters in the message", "[daemon][logging]") {
    const std::string message = "peer \"abc\" sent C:\\path\n\ttab \x01 end caf\xc3\xa9";
    const auto line = formatLine("json", "p2p", message);
    REQUIRE(!line.empty());
    CHECK(line.back() == '\n');
    auto j = nlohmann::json::parse(line, nullptr, false);
    REQUIRE_FALSE(j.is_discarded());
    CHECK(j["msg"] == message);
    CHECK(j["module"] == "p2p");
    CHECK(j["level"] == "warning");
    CHECK(j["time"].get<std::string>().size() >= 19);
}

TEST_CASE("text log lines carry the level, the module and the message unchanged", "[daemon][logging]") {
    const auto line = formatLine("text", "consensus", "committed \"block\" 7");
    CHECK(line.find("[consensus] committed \"block\" 7") != std::string::npos);
    CHECK(line.find("warn") != std::string::npos);
}
