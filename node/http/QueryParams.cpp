#include "node/http/QueryParams.h"

namespace agora::node {

namespace {

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::optional<std::string> percentDecode(std::string_view s, bool plusIsSpace) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '%') {
            if (i + 2 >= s.size()) return std::nullopt;
            const int hi = hexValue(s[i + 1]);
            const int lo = hexValue(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plusIsSpace) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

Expected<QueryParams, std::string> QueryParams::parse(std::string_view query) {
    QueryParams q;
    std::size_t pos = 0;
    while (pos <= query.size()) {
        std::size_t amp = query.find('&', pos);
        if (amp == std::string_view::npos) amp = query.size();
        const std::string_view part = query.substr(pos, amp - pos);
        if (!part.empty()) {
            const std::size_t eq = part.find('=');
            const std::string_view rawKey = part.substr(0, eq);
            const std::string_view rawValue = eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1);
            auto key = percentDecode(rawKey, true);
            auto value = percentDecode(rawValue, true);
            if (!key || !value)
                return Unexpected("malformed percent escape in query parameter '" + std::string(part) + "'");
            q.items_.emplace_back(std::move(*key), std::move(*value));
        }
        pos = amp + 1;
    }
    return q;
}

std::optional<std::string> QueryParams::first(std::string_view key) const {
    for (const auto& [k, v] : items_) {
        if (k == key) return v;
    }
    return std::nullopt;
}

std::vector<std::string> QueryParams::all(std::string_view key) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : items_) {
        if (k == key) out.push_back(v);
    }
    return out;
}

}  // namespace agora::node
