#include "node/gateway/TxBody.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace agora::node {

std::optional<Bytes> decodeBase64(std::string_view text) {
    while (!text.empty() && text.back() == '=') text.remove_suffix(1);
    if (text.size() % 4 == 1) return std::nullopt;
    Bytes out;
    out.reserve(text.size() * 3 / 4);
    std::uint32_t acc = 0;
    int bits = 0;
    for (const char c : text) {
        std::uint32_t v = 0;
        if (c >= 'A' && c <= 'Z') {
            v = static_cast<std::uint32_t>(c - 'A');
        } else if (c >= 'a' && c <= 'z') {
            v = static_cast<std::uint32_t>(c - 'a' + 26);
        } else if (c >= '0' && c <= '9') {
            v = static_cast<std::uint32_t>(c - '0' + 52);
        } else if (c == '+') {
            v = 62;
        } else if (c == '/') {
            v = 63;
        } else {
            return std::nullopt;
        }
        acc = (acc << 6) | v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xFF));
        }
    }
    return out;
}

Expected<TxBody, std::string> parseTxBody(std::string_view body, std::uint32_t maxWaitMs) {
    const auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Unexpected(std::string("body must be a JSON object"));
    for (const auto& [key, value] : j.items()) {
        if (key != "tx" && key != "encoding" && key != "mode" && key != "timeout_ms")
            return Unexpected("unknown field '" + key + "'");
    }
    const auto tx = j.find("tx");
    if (tx == j.end() || !tx->is_string() || tx->get<std::string>().empty())
        return Unexpected(std::string("'tx' must be a non-empty string (hex or base64 signed tx)"));
    const std::string text = tx->get<std::string>();
    std::string encoding = "auto";
    if (auto e = j.find("encoding"); e != j.end()) {
        if (!e->is_string() || (*e != "hex" && *e != "base64"))
            return Unexpected(std::string("'encoding' must be \"hex\" or \"base64\""));
        encoding = e->get<std::string>();
    }
    TxBody out;
    std::optional<Bytes> bytes;
    if (encoding != "base64") bytes = fromHex(text);
    if (!bytes && encoding != "hex") bytes = decodeBase64(text);
    if (!bytes || bytes->empty())
        return Unexpected("'tx' is not valid " + (encoding == "auto" ? std::string("hex or base64") : encoding));
    out.tx = std::move(*bytes);
    if (auto m = j.find("mode"); m != j.end()) {
        if (!m->is_string() || (*m != "sync" && *m != "commit"))
            return Unexpected(std::string("'mode' must be \"sync\" or \"commit\""));
        out.commit = *m == "commit";
    }
    if (auto t = j.find("timeout_ms"); t != j.end()) {
        if (!t->is_number_unsigned() || t->get<std::uint64_t>() == 0)
            return Unexpected(std::string("'timeout_ms' must be a positive integer"));
        out.timeoutMs = static_cast<std::uint32_t>(std::min<std::uint64_t>(t->get<std::uint64_t>(), maxWaitMs));
    }
    out.timeoutMs = std::min(out.timeoutMs, maxWaitMs);
    return out;
}

}  // namespace agora::node
