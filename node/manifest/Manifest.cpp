#include "node/manifest/Manifest.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <string_view>
#include <system_error>
#include <utility>

#include "consensus/core/Codec.h"
#include "consensus/core/Limits.h"

namespace agora::manifest {
namespace {

// First field of the canonical bytes: a manifest hash can never equal the hash
// of another kind of object that happens to share its bytes.
constexpr std::string_view kCanonicalDomain = "agora/manifest/v1";
constexpr std::uint32_t kSupportedVersion = 1;

// Validation stops at the first problem. Inside this file it is thrown and the
// public functions turn it into an Expected: yaml-cpp reports by exception
// anyway, and the nested walk reads far better without a check after each step.
struct ManifestFailure {
    ManifestError error;
};

ManifestError makeError(ManifestErrorCode code, std::string field, std::size_t line, const std::string& what) {
    std::string message;
    if (line != 0) message += "line " + std::to_string(line) + ": ";
    if (!field.empty()) message += field + ": ";
    message += what;
    return ManifestError{code, std::move(field), line, std::move(message)};
}

[[noreturn]] void fail(ManifestErrorCode code, std::string field, std::size_t line, const std::string& what) {
    throw ManifestFailure{makeError(code, std::move(field), line, what)};
}

// yaml-cpp marks are 0-based and -1 when unknown.
std::size_t lineOf(const YAML::Node& node) {
    const YAML::Mark mark = node.Mark();
    return mark.line < 0 ? 0 : static_cast<std::size_t>(mark.line) + 1;
}

std::string childPath(const std::string& parent, std::string_view key) {
    return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string itemPath(const std::string& parent, std::size_t index) {
    return parent + "[" + std::to_string(index) + "]";
}

// A value in the document with the path and line errors about it report.
struct Field {
    std::string path;
    YAML::Node node;
    std::size_t line = 0;
};

// One key/value of a map, in document order.
struct Entry {
    std::string key;
    std::size_t keyLine = 0;
    Field value;
};

// What a scalar is under the YAML 1.2 core schema: yaml-cpp keeps every scalar
// as text, so `port: "80"` and `port: 80` differ only in the tag ("!" for quoted).
enum class ValueKind : std::uint8_t { Null, Bool, Int, Float, String, List, Map };

// Hand-written matchers of the core schema's patterns (no <regex>: GCC 12's
// has -Wmaybe-uninitialized false positives, and these are simple grammars).
bool isDigit(char c) {
    return c >= '0' && c <= '9';
}
bool allOf(std::string_view s, bool (*ok)(char)) {
    if (s.empty()) return false;
    for (char c : s)
        if (!ok(c)) return false;
    return true;
}
std::size_t skipDigits(std::string_view s, std::size_t i) {
    while (i < s.size() && isDigit(s[i])) ++i;
    return i;
}
std::string_view withoutSign(std::string_view s) {
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
    return s;
}
// null|Null|NULL|~|(empty)
bool isYamlNull(std::string_view t) {
    return t.empty() || t == "~" || t == "null" || t == "Null" || t == "NULL";
}
// true|True|TRUE|false|False|FALSE
bool isYamlBool(std::string_view t) {
    return t == "true" || t == "True" || t == "TRUE" || t == "false" || t == "False" || t == "FALSE";
}
// [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+
bool isYamlInt(std::string_view t) {
    if (t.starts_with("0o")) return allOf(t.substr(2), [](char c) { return c >= '0' && c <= '7'; });
    if (t.starts_with("0x"))
        return allOf(t.substr(2),
                     [](char c) { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); });
    return allOf(withoutSign(t), isDigit);
}
// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? | [-+]?\.(inf|Inf|INF) | \.(nan|NaN|NAN)
bool isYamlFloat(std::string_view t) {
    if (t == ".nan" || t == ".NaN" || t == ".NAN") return true;
    const std::string_view s = withoutSign(t);
    if (s == ".inf" || s == ".Inf" || s == ".INF") return true;
    std::size_t i = 0;
    if (!s.empty() && s[0] == '.') {
        i = skipDigits(s, 1);
        if (i == 1) return false;
    } else {
        i = skipDigits(s, 0);
        if (i == 0) return false;
        if (i < s.size() && s[i] == '.') i = skipDigits(s, i + 1);
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
        const std::size_t j = skipDigits(s, i);
        if (j == i) return false;
        i = j;
    }
    return i == s.size();
}

ValueKind plainScalarKind(const std::string& text) {
    if (isYamlNull(text)) return ValueKind::Null;
    if (isYamlBool(text)) return ValueKind::Bool;
    if (isYamlInt(text)) return ValueKind::Int;
    if (isYamlFloat(text)) return ValueKind::Float;
    return ValueKind::String;
}

ValueKind kindOf(const Field& f) {
    switch (f.node.Type()) {
        case YAML::NodeType::Undefined:
        case YAML::NodeType::Null:
            return ValueKind::Null;
        case YAML::NodeType::Sequence:
            return ValueKind::List;
        case YAML::NodeType::Map:
            return ValueKind::Map;
        case YAML::NodeType::Scalar:
            break;
    }
    const std::string& tag = f.node.Tag();
    if (tag == "!" || tag == "tag:yaml.org,2002:str") return ValueKind::String;
    if (tag == "?") return plainScalarKind(f.node.Scalar());
    // Other explicit tags (!!int, !custom) would make the same text mean
    // different things; a manifest has no use for them.
    fail(ManifestErrorCode::WrongType, f.path, f.line, "explicit YAML tag " + tag + " is not supported");
}

std::string_view describe(ValueKind k) {
    switch (k) {
        case ValueKind::Null:
            return "nothing (null)";
        case ValueKind::Bool:
            return "a boolean";
        case ValueKind::Int:
            return "an integer";
        case ValueKind::Float:
            return "a number";
        case ValueKind::String:
            return "a string";
        case ValueKind::List:
            return "a list";
        case ValueKind::Map:
            return "a map";
    }
    return "a value";
}

[[noreturn]] void wrongType(const Field& f, std::string_view expected) {
    fail(ManifestErrorCode::WrongType, f.path, f.line,
         "expected " + std::string(expected) + ", got " + std::string(describe(kindOf(f))));
}

// The entries of a map, rejecting non-maps, non-scalar keys and duplicate keys
// (yaml-cpp keeps both entries of a duplicated key and `node[key]` silently
// returns the first; YAML itself forbids duplicates).
std::vector<Entry> entriesOf(const Field& f, std::string_view expected = "a map") {
    if (!f.node.IsMap()) wrongType(f, expected);
    std::vector<Entry> entries;
    std::set<std::string> seen;
    for (auto it = f.node.begin(); it != f.node.end(); ++it) {
        const YAML::Node keyNode = it->first;
        const std::size_t keyLine = lineOf(keyNode) != 0 ? lineOf(keyNode) : f.line;
        if (!keyNode.IsScalar() || keyNode.Scalar().empty())
            fail(ManifestErrorCode::WrongType, f.path, keyLine, "map keys must be non-empty strings");
        const std::string key = keyNode.Scalar();
        const std::string path = childPath(f.path, key);
        if (!seen.insert(key).second) fail(ManifestErrorCode::Syntax, path, keyLine, "duplicate key \"" + key + "\"");
        // A key without a value (`env:` then nothing) is a null node whose mark
        // is the next token's, often on a later line; report the key's line.
        const YAML::Node value = it->second;
        const std::size_t valueLine = value.IsNull() || lineOf(value) == 0 ? keyLine : lineOf(value);
        entries.push_back(Entry{key, keyLine, Field{path, value, valueLine}});
    }
    return entries;
}

void rejectUnknown(const std::vector<Entry>& entries, std::initializer_list<std::string_view> allowed) {
    for (const Entry& e : entries) {
        if (std::find(allowed.begin(), allowed.end(), e.key) != allowed.end()) continue;
        std::string list;
        for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        fail(ManifestErrorCode::UnknownField, e.value.path, e.keyLine, "unknown field (expected one of: " + list + ")");
    }
}

const Entry* findEntry(const std::vector<Entry>& entries, std::string_view key) {
    for (const Entry& e : entries)
        if (e.key == key) return &e;
    return nullptr;
}

const Entry& requireEntry(const std::vector<Entry>& entries, const Field& parent, std::string_view key) {
    if (const Entry* e = findEntry(entries, key)) return *e;
    fail(ManifestErrorCode::MissingField, childPath(parent.path, key), parent.line, "missing required field");
}

std::string expectString(const Field& f) {
    const ValueKind k = kindOf(f);
    if (k == ValueKind::String) return f.node.Scalar();
    if (k == ValueKind::Int || k == ValueKind::Float || k == ValueKind::Bool)
        fail(ManifestErrorCode::WrongType, f.path, f.line,
             "expected a string, got " + std::string(describe(k)) + " (quote it: \"" + f.node.Scalar() + "\")");
    wrongType(f, "a string");
}

void checkLength(const Field& f, const std::string& s, std::size_t maxBytes) {
    if (s.size() > maxBytes)
        fail(ManifestErrorCode::InvalidValue, f.path, f.line,
             "too long: " + std::to_string(s.size()) + " bytes, at most " + std::to_string(maxBytes));
}

// Runtimes hand these strings to exec and the environment as C strings.
void rejectNul(const Field& f, const std::string& s) {
    if (s.find('\0') != std::string::npos)
        fail(ManifestErrorCode::InvalidValue, f.path, f.line, "must not contain a NUL character");
}

bool allDigits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Decimal digits to an integer; nullopt on overflow.
std::optional<std::uint64_t> digitsValue(std::string_view digits) {
    std::uint64_t v = 0;
    for (char c : digits) {
        if (__builtin_mul_overflow(v, std::uint64_t{10}, &v)) return std::nullopt;
        if (__builtin_add_overflow(v, static_cast<std::uint64_t>(c - '0'), &v)) return std::nullopt;
    }
    return v;
}

// An unquoted non-negative decimal integer in [minValue, maxValue].
std::uint64_t expectUnsigned(const Field& f, std::uint64_t minValue, std::uint64_t maxValue) {
    if (kindOf(f) != ValueKind::Int) wrongType(f, "an integer");
    const std::string& text = f.node.Scalar();
    const std::string range = std::to_string(minValue) + ".." + std::to_string(maxValue);
    if (!allDigits(text))
        fail(ManifestErrorCode::InvalidValue, f.path, f.line, "expected a decimal integer in " + range);
    const auto v = digitsValue(text);
    if (!v || *v < minValue || *v > maxValue)
        fail(ManifestErrorCode::InvalidValue, f.path, f.line, text + " is out of range " + range);
    return *v;
}

// ---- quantities: integer arithmetic only, so every node reads a spelling the same way

enum class QuantityProblem : std::uint8_t { Malformed, TooPrecise, Overflow, Zero };

// value = digits / 10^scale, trailing fractional zeros dropped ("0.500" -> 5, 1).
struct Decimal {
    std::uint64_t digits = 0;
    unsigned scale = 0;
};

constexpr unsigned kMaxScale = 18;  // 10^18 still fits a u64

std::uint64_t pow10(unsigned n) {
    std::uint64_t v = 1;
    for (unsigned i = 0; i < n; ++i) v *= 10;
    return v;
}

Expected<Decimal, QuantityProblem> parseDecimal(std::string_view text) {
    const auto dot = text.find('.');
    const std::string_view whole = text.substr(0, dot);
    std::string_view fraction = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    if (!allDigits(whole) || (dot != std::string_view::npos && !allDigits(fraction)))
        return Unexpected(QuantityProblem::Malformed);
    while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
    if (fraction.size() > kMaxScale) return Unexpected(QuantityProblem::TooPrecise);
    const auto v = digitsValue(std::string(whole) + std::string(fraction));
    if (!v) return Unexpected(QuantityProblem::Overflow);
    return Decimal{*v, static_cast<unsigned>(fraction.size())};
}

std::uint64_t ceilDiv(std::uint64_t a, std::uint64_t b) {
    return a / b + (a % b != 0 ? 1 : 0);
}

// "500m" -> 500, "2" -> 2000, "0.25" -> 250.
Expected<std::uint64_t, QuantityProblem> parseCpuMillicores(std::string_view text) {
    std::uint64_t millicores = 0;
    if (!text.empty() && text.back() == 'm') {
        const std::string_view number = text.substr(0, text.size() - 1);
        if (number.find('.') != std::string_view::npos) {
            auto d = parseDecimal(number);
            if (!d) return Unexpected(d.error());
            if (d->scale > 0) return Unexpected(QuantityProblem::TooPrecise);  // "1.5m"
            millicores = d->digits;
        } else {
            if (!allDigits(number)) return Unexpected(QuantityProblem::Malformed);
            const auto v = digitsValue(number);
            if (!v) return Unexpected(QuantityProblem::Overflow);
            millicores = *v;
        }
    } else {
        auto d = parseDecimal(text);
        if (!d) return Unexpected(d.error());
        if (d->scale > 3) return Unexpected(QuantityProblem::TooPrecise);
        if (__builtin_mul_overflow(d->digits, pow10(3 - d->scale), &millicores))
            return Unexpected(QuantityProblem::Overflow);
    }
    if (millicores == 0) return Unexpected(QuantityProblem::Zero);
    return millicores;
}

struct ByteSuffix {
    std::string_view suffix;
    std::uint64_t bytes;
};
constexpr std::array<ByteSuffix, 11> kByteSuffixes{{
    {"", 1},
    {"k", 1'000},
    {"M", 1'000'000},
    {"G", 1'000'000'000},
    {"T", 1'000'000'000'000},
    {"P", 1'000'000'000'000'000},
    {"Ki", std::uint64_t{1} << 10},
    {"Mi", std::uint64_t{1} << 20},
    {"Gi", std::uint64_t{1} << 30},
    {"Ti", std::uint64_t{1} << 40},
    {"Pi", std::uint64_t{1} << 50},
}};

// A byte quantity ("256Mi", "1.5G", "268435456") in units of `unitBytes`, rounded up.
Expected<std::uint64_t, QuantityProblem> parseByteQuantity(std::string_view text, std::uint64_t unitBytes) {
    const auto numberEnd = text.find_first_not_of("0123456789.");
    const std::string_view number = text.substr(0, numberEnd);
    const std::string_view suffix = numberEnd == std::string_view::npos ? std::string_view{} : text.substr(numberEnd);
    const auto unit = std::find_if(kByteSuffixes.begin(), kByteSuffixes.end(),
                                   [&](const ByteSuffix& s) { return s.suffix == suffix; });
    if (unit == kByteSuffixes.end()) return Unexpected(QuantityProblem::Malformed);
    auto d = parseDecimal(number);
    if (!d) return Unexpected(d.error());
    if (d->digits == 0) return Unexpected(QuantityProblem::Zero);
    std::uint64_t scaled = 0;
    if (__builtin_mul_overflow(d->digits, unit->bytes, &scaled)) return Unexpected(QuantityProblem::Overflow);
    // ceil(ceil(x / a) / b) == ceil(x / (a * b)) for positive integers, and
    // 10^scale * unitBytes could overflow where the two steps do not.
    return ceilDiv(ceilDiv(scaled, pow10(d->scale)), unitBytes);
}

std::string quantityText(const Field& f) {
    switch (kindOf(f)) {
        case ValueKind::Int:
        case ValueKind::Float:
        case ValueKind::String:
            return f.node.Scalar();
        case ValueKind::Null:
        case ValueKind::Bool:
        case ValueKind::List:
        case ValueKind::Map:
            break;
    }
    wrongType(f, "a quantity (a number or a string like \"500m\", \"256Mi\")");
}

[[noreturn]] void badQuantity(const Field& f, QuantityProblem p, std::string_view syntax) {
    const std::string text = f.node.Scalar();
    switch (p) {
        case QuantityProblem::Malformed:
            fail(ManifestErrorCode::InvalidValue, f.path, f.line,
                 "invalid quantity \"" + text + "\" (expected " + std::string(syntax) + ")");
        case QuantityProblem::TooPrecise:
            fail(ManifestErrorCode::InvalidValue, f.path, f.line,
                 "quantity \"" + text + "\" is more precise than the field allows (expected " + std::string(syntax) +
                     ")");
        case QuantityProblem::Overflow:
            fail(ManifestErrorCode::InvalidValue, f.path, f.line, "quantity \"" + text + "\" is too large");
        case QuantityProblem::Zero:
            fail(ManifestErrorCode::InvalidValue, f.path, f.line,
                 "quantity must be positive; leave the field out to request none");
    }
    fail(ManifestErrorCode::InvalidValue, f.path, f.line, "invalid quantity");
}

constexpr std::string_view kCpuSyntax = "cores like 2 or 0.5, at most 3 decimals, or millicores like \"500m\"";
constexpr std::string_view kByteSyntax = "bytes, or a number with a suffix Ki Mi Gi Ti Pi k M G T P, like \"256Mi\"";

// ---- the document

Resources parseResources(const Field& f) {
    const auto entries = entriesOf(f);
    rejectUnknown(entries, {"cpu", "memory", "storage", "gpus"});
    Resources r;
    if (const Entry* e = findEntry(entries, "cpu")) {
        auto v = parseCpuMillicores(quantityText(e->value));
        if (!v) badQuantity(e->value, v.error(), kCpuSyntax);
        r.cpuMillicores = *v;
    }
    if (const Entry* e = findEntry(entries, "memory")) {
        auto v = parseByteQuantity(quantityText(e->value), std::uint64_t{1} << 20);
        if (!v) badQuantity(e->value, v.error(), kByteSyntax);
        r.memoryMib = *v;
    }
    if (const Entry* e = findEntry(entries, "storage")) {
        auto v = parseByteQuantity(quantityText(e->value), std::uint64_t{1} << 30);
        if (!v) badQuantity(e->value, v.error(), kByteSyntax);
        r.storageGib = *v;
    }
    if (const Entry* e = findEntry(entries, "gpus")) {
        const auto models = entriesOf(e->value, "a map of GPU model to count");
        if (models.size() > limits::kGpuModelsMax)
            fail(ManifestErrorCode::InvalidValue, e->value.path, e->value.line,
                 "at most " + std::to_string(limits::kGpuModelsMax) + " GPU models");
        for (const Entry& m : models) {
            if (m.key.size() > limits::kGpuModelMax)
                fail(ManifestErrorCode::InvalidValue, m.value.path, m.keyLine,
                     "GPU model names are at most " + std::to_string(limits::kGpuModelMax) + " bytes");
            const auto count = expectUnsigned(m.value, 1, std::numeric_limits<std::uint32_t>::max());
            r.gpus.push_back(GpuCount{m.key, static_cast<std::uint32_t>(count)});
        }
        std::sort(r.gpus.begin(), r.gpus.end(), [](const GpuCount& a, const GpuCount& b) { return a.model < b.model; });
    }
    return r;
}

bool validServiceName(std::string_view name) {
    if (name.empty() || name.size() > kMaxServiceNameBytes) return false;
    const auto lowerOrDigit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!lowerOrDigit(name.front())) return false;
    return std::all_of(name.begin(), name.end(), [&](char c) { return lowerOrDigit(c) || c == '-'; });
}

bool validEnvName(std::string_view key) {
    const auto start = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
    if (key.empty() || !start(key.front())) return false;
    return std::all_of(key.begin(), key.end(), [&](char c) { return start(c) || (c >= '0' && c <= '9'); });
}

std::vector<std::string> parseCommand(const Field& f) {
    constexpr std::string_view kExpected = "a non-empty list of strings";
    if (!f.node.IsSequence()) wrongType(f, kExpected);
    if (f.node.size() == 0) fail(ManifestErrorCode::InvalidValue, f.path, f.line, "expected " + std::string(kExpected));
    if (f.node.size() > kMaxCommandArgs)
        fail(ManifestErrorCode::InvalidValue, f.path, f.line,
             "at most " + std::to_string(kMaxCommandArgs) + " arguments, got " + std::to_string(f.node.size()));
    std::vector<std::string> argv;
    for (std::size_t i = 0; i < f.node.size(); ++i) {
        const YAML::Node item = f.node[i];
        const Field arg{itemPath(f.path, i), item, lineOf(item) != 0 ? lineOf(item) : f.line};
        std::string s = expectString(arg);
        checkLength(arg, s, kMaxArgBytes);
        rejectNul(arg, s);
        if (i == 0 && s.empty()) fail(ManifestErrorCode::InvalidValue, arg.path, arg.line, "the program is empty");
        argv.push_back(std::move(s));
    }
    return argv;
}

std::map<std::string, std::string> parseEnv(const Field& f) {
    const auto entries = entriesOf(f, "a map of variable name to value");
    if (entries.size() > kMaxEnvVars)
        fail(ManifestErrorCode::InvalidValue, f.path, f.line, "at most " + std::to_string(kMaxEnvVars) + " variables");
    std::map<std::string, std::string> env;
    for (const Entry& e : entries) {
        if (!validEnvName(e.key) || e.key.size() > kMaxEnvKeyBytes)
            fail(ManifestErrorCode::InvalidValue, e.value.path, e.keyLine,
                 "variable names are [A-Za-z_][A-Za-z0-9_]*, at most " + std::to_string(kMaxEnvKeyBytes) + " bytes");
        // The provider sets these (lease id, the port to listen on); letting a
        // manifest override them would make a workload lie to itself.
        if (e.key == "PORT" || e.key.starts_with("AGORA_"))
            fail(ManifestErrorCode::InvalidValue, e.value.path, e.keyLine,
                 "reserved: PORT and AGORA_* are set by the provider");
        std::string value;
        switch (kindOf(e.value)) {
            case ValueKind::String:
            case ValueKind::Int:
            case ValueKind::Float:
            case ValueKind::Bool:
                value = e.value.node.Scalar();  // the text as written: `0.50` stays "0.50"
                break;
            case ValueKind::Null:
            case ValueKind::List:
            case ValueKind::Map:
                wrongType(e.value, "a string (write \"\" for an empty value)");
        }
        checkLength(e.value, value, kMaxEnvValueBytes);
        rejectNul(e.value, value);
        env.emplace(e.key, std::move(value));
    }
    return env;
}

Port parsePort(const Field& f) {
    Port p;
    if (f.node.IsMap()) {
        const auto entries = entriesOf(f);
        rejectUnknown(entries, {"port", "proto"});
        p.port = static_cast<std::uint16_t>(expectUnsigned(requireEntry(entries, f, "port").value, 1, 65535));
        if (const Entry* proto = findEntry(entries, "proto")) {
            p.proto = expectString(proto->value);
            if (p.proto != "tcp" && p.proto != "udp")
                fail(ManifestErrorCode::InvalidValue, proto->value.path, proto->value.line, "expected tcp or udp");
        }
        return p;
    }
    if (kindOf(f) != ValueKind::Int) wrongType(f, "a port number or a map {port, proto}");
    p.port = static_cast<std::uint16_t>(expectUnsigned(f, 1, 65535));
    return p;
}

std::vector<Port> parseExpose(const Field& f) {
    if (!f.node.IsSequence()) wrongType(f, "a list of ports");
    if (f.node.size() > kMaxPorts)
        fail(ManifestErrorCode::InvalidValue, f.path, f.line, "at most " + std::to_string(kMaxPorts) + " ports");
    std::vector<Port> ports;
    for (std::size_t i = 0; i < f.node.size(); ++i) {
        const YAML::Node item = f.node[i];
        const Field entry{itemPath(f.path, i), item, lineOf(item) != 0 ? lineOf(item) : f.line};
        Port p = parsePort(entry);
        // One port, one protocol: the sandbox maps $PORT and the provider's
        // forwarding by port number alone.
        for (const Port& q : ports)
            if (q.port == p.port)
                fail(ManifestErrorCode::InvalidValue, entry.path, entry.line,
                     "port " + std::to_string(p.port) + " is exposed twice");
        ports.push_back(std::move(p));
    }
    std::sort(ports.begin(), ports.end(), [](const Port& a, const Port& b) { return a.port < b.port; });
    return ports;
}

Service parseService(const Entry& named) {
    if (!validServiceName(named.key))
        fail(ManifestErrorCode::InvalidValue, named.value.path, named.keyLine,
             "service names are [a-z0-9][a-z0-9-]*, at most " + std::to_string(kMaxServiceNameBytes) + " bytes");
    const Field& f = named.value;
    const auto entries = entriesOf(f);
    rejectUnknown(entries, {"command", "env", "workdir", "expose", "image"});
    Service s;
    s.name = named.key;
    s.command = parseCommand(requireEntry(entries, f, "command").value);
    if (const Entry* e = findEntry(entries, "env")) s.env = parseEnv(e->value);
    if (const Entry* e = findEntry(entries, "workdir")) {
        s.workdir = expectString(e->value);
        checkLength(e->value, s.workdir, kMaxWorkdirBytes);
        rejectNul(e->value, s.workdir);
        if (!s.workdir.starts_with('/'))
            fail(ManifestErrorCode::InvalidValue, e->value.path, e->value.line, "must be an absolute path");
    }
    if (const Entry* e = findEntry(entries, "expose")) s.expose = parseExpose(e->value);
    if (const Entry* e = findEntry(entries, "image")) {
        s.image = expectString(e->value);
        checkLength(e->value, s.image, kMaxImageBytes);
        rejectNul(e->value, s.image);
        // An empty image would encode like an absent one; say which you mean.
        if (s.image.empty()) fail(ManifestErrorCode::InvalidValue, e->value.path, e->value.line, "must not be empty");
    }
    return s;
}

Manifest parseDocument(const YAML::Node& root) {
    const Field top{"", root, lineOf(root) != 0 ? lineOf(root) : 1};
    if (!root.IsMap()) wrongType(top, "a map with version, kind and services");
    const auto entries = entriesOf(top);

    // The version first: a later version's manifest is reported as that, not as
    // the unknown fields it may legitimately have.
    Manifest m;
    const Field& version = requireEntry(entries, top, "version").value;
    if (kindOf(version) != ValueKind::Int) wrongType(version, "an integer");
    const auto v = digitsValue(version.node.Scalar());
    if (!allDigits(version.node.Scalar()) || !v || *v != kSupportedVersion)
        fail(ManifestErrorCode::UnsupportedVersion, version.path, version.line,
             "version " + version.node.Scalar() + " is not supported (this build reads version 1)");
    m.version = kSupportedVersion;

    rejectUnknown(entries, {"version", "kind", "resources", "services"});

    const Field& kind = requireEntry(entries, top, "kind").value;
    const std::string kindText = expectString(kind);
    if (kindText == workloadKindName(WorkloadKind::Batch)) {
        m.kind = WorkloadKind::Batch;
    } else if (kindText == workloadKindName(WorkloadKind::Service)) {
        m.kind = WorkloadKind::Service;
    } else {
        fail(ManifestErrorCode::InvalidValue, kind.path, kind.line,
             "expected batch or service, got \"" + kindText + "\"");
    }

    if (const Entry* e = findEntry(entries, "resources")) m.resources = parseResources(e->value);

    const Field& services = requireEntry(entries, top, "services").value;
    const auto named = entriesOf(services, "a map of service name to service");
    if (named.empty() || named.size() > kMaxServices)
        fail(ManifestErrorCode::InvalidValue, services.path, services.line,
             "expected 1.." + std::to_string(kMaxServices) + " services, got " + std::to_string(named.size()));
    for (const Entry& e : named) m.services.push_back(parseService(e));
    std::sort(m.services.begin(), m.services.end(), [](const Service& a, const Service& b) { return a.name < b.name; });
    return m;
}

}  // namespace

std::string_view workloadKindName(WorkloadKind k) {
    switch (k) {
        case WorkloadKind::Batch:
            return "batch";
        case WorkloadKind::Service:
            return "service";
    }
    return "unknown";
}

std::string_view manifestErrorCodeName(ManifestErrorCode c) {
    switch (c) {
        case ManifestErrorCode::TooLarge:
            return "too_large";
        case ManifestErrorCode::Syntax:
            return "syntax";
        case ManifestErrorCode::UnknownField:
            return "unknown_field";
        case ManifestErrorCode::MissingField:
            return "missing_field";
        case ManifestErrorCode::WrongType:
            return "wrong_type";
        case ManifestErrorCode::InvalidValue:
            return "invalid_value";
        case ManifestErrorCode::UnsupportedVersion:
            return "unsupported_version";
        case ManifestErrorCode::ExceedsJob:
            return "exceeds_job";
        case ManifestErrorCode::Unreadable:
            return "unreadable";
    }
    return "unknown";
}

namespace {
// Counts the YAML documents of a text, stopping at the second. yaml-cpp's
// LoadAll never returns on some inputs: a ',' at document level (the text ","
// is enough) is never consumed, so it builds empty documents until memory
// runs out (found by test/fuzz/manifest). Counting through the event parser
// with a cap bounds that; YAML::Load then builds the one document.
struct DocumentCount {
    std::size_t count = 0;
    std::size_t secondLine = 0;  // 1-based line of the second document's content
};

class DocumentCounter final : public YAML::EventHandler {
public:
    void OnDocumentStart(const YAML::Mark& mark) override { documents.push_back({mark, std::nullopt}); }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
    void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override {
        node(mark);
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {
        node(mark);
    }
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
        node(mark);
    }
    void OnMapEnd() override {}

    struct Document {
        YAML::Mark start;                     // where "---" (or the content) begins
        std::optional<YAML::Mark> firstNode;  // where its content begins
    };
    std::vector<Document> documents;

private:
    void node(const YAML::Mark& mark) {
        if (!documents.empty() && !documents.back().firstNode) documents.back().firstNode = mark;
    }
};

DocumentCount countDocuments(const std::string& text) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentCounter counter;
    DocumentCount result;
    while (result.count < 2 && parser.HandleNextDocument(counter)) ++result.count;
    if (result.count > 1 && counter.documents.size() > 1) {
        const auto& second = counter.documents[1];
        const int line = second.firstNode ? second.firstNode->line : second.start.line;
        if (line >= 0) result.secondLine = static_cast<std::size_t>(line) + 1;
    }
    return result;
}
}  // namespace

Expected<Manifest, ManifestError> parseManifest(std::string_view text) {
    if (text.size() > kMaxManifestBytes)
        return Unexpected(makeError(
            ManifestErrorCode::TooLarge, "", 0,
            "manifest is " + std::to_string(text.size()) + " bytes, at most " + std::to_string(kMaxManifestBytes)));
    // Every string of a manifest goes into the canonical bytes, which hold UTF-8 only.
    if (!isValidUtf8(text)) return Unexpected(makeError(ManifestErrorCode::Syntax, "", 0, "not valid UTF-8"));
    try {
        const std::string owned(text);
        const DocumentCount documents = countDocuments(owned);
        if (documents.count == 0)
            return Unexpected(makeError(ManifestErrorCode::MissingField, "version", 0,
                                        "the manifest is empty; it needs version, kind and services"));
        if (documents.count > 1)
            return Unexpected(
                makeError(ManifestErrorCode::Syntax, "", documents.secondLine, "more than one YAML document"));
        return parseDocument(YAML::Load(owned));
    } catch (const ManifestFailure& failure) {
        return Unexpected(failure.error);
    } catch (const YAML::Exception& e) {
        // ParserException (and DeepRecursion) carry the position of the problem.
        const std::size_t line = e.mark.is_null() || e.mark.line < 0 ? 0 : static_cast<std::size_t>(e.mark.line) + 1;
        return Unexpected(makeError(ManifestErrorCode::Syntax, "", line, e.msg));
    }
}

Expected<Manifest, ManifestError> loadManifestFile(const std::string& path) {
    namespace fs = std::filesystem;
    const auto unreadable = [&](const std::string& why) {
        return Unexpected(makeError(ManifestErrorCode::Unreadable, "", 0, "cannot read " + path + ": " + why));
    };
    const auto tooLarge = [&](std::uintmax_t size) {
        return Unexpected(makeError(ManifestErrorCode::TooLarge, "", 0,
                                    path + " is " + std::to_string(size) + " bytes, a manifest is at most " +
                                        std::to_string(kMaxManifestBytes)));
    };
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) return unreadable("no such file");
    if (fs::is_directory(status)) return unreadable("it is a directory");
    if (fs::is_regular_file(status)) {
        const std::uintmax_t size = fs::file_size(path, ec);
        if (ec) return unreadable(ec.message());
        if (size > kMaxManifestBytes) return tooLarge(size);
    }
    // Pipes (`/dev/stdin`) have no size up front; the bounded read below also
    // catches a regular file that grew since the size check.
    std::ifstream in(path, std::ios::binary);
    if (!in) return unreadable("cannot open");
    std::string text(kMaxManifestBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad()) return unreadable("read error");
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxManifestBytes) return tooLarge(text.size());
    return parseManifest(text);
}

Bytes canonicalBytes(const Manifest& m) {
    // Sorted here as well as by the parser, so a Manifest built in code hashes
    // like the same manifest read from a file.
    Resources resources = m.resources;
    std::sort(resources.gpus.begin(), resources.gpus.end(),
              [](const GpuCount& a, const GpuCount& b) { return a.model < b.model; });
    std::vector<const Service*> services;
    for (const Service& s : m.services) services.push_back(&s);
    std::sort(services.begin(), services.end(), [](const Service* a, const Service* b) { return a->name < b->name; });

    Writer w;
    w.string(kCanonicalDomain);
    w.u32(m.version);
    w.u8(static_cast<std::uint8_t>(m.kind));
    resources.encodeTo(w);
    w.u32(static_cast<std::uint32_t>(services.size()));
    for (const Service* s : services) {
        w.string(s->name);
        w.u32(static_cast<std::uint32_t>(s->command.size()));
        for (const std::string& arg : s->command) w.string(arg);
        w.u32(static_cast<std::uint32_t>(s->env.size()));
        for (const auto& [key, value] : s->env) {  // std::map: sorted by key
            w.string(key);
            w.string(value);
        }
        w.string(s->workdir);
        std::vector<Port> ports = s->expose;
        std::sort(ports.begin(), ports.end(), [](const Port& a, const Port& b) { return a.port < b.port; });
        w.u32(static_cast<std::uint32_t>(ports.size()));
        for (const Port& p : ports) {
            w.u16(p.port);
            w.string(p.proto);
        }
        w.string(s->image);
    }
    return w.take();
}

Hash256 manifestHash(const Manifest& m) {
    return sha256(canonicalBytes(m));
}

Expected<void, ManifestError> checkAgainstJob(const Manifest& m, const Resources& jobResources) {
    const auto exceeds = [](const std::string& field, const std::string& what) {
        return Unexpected(makeError(ManifestErrorCode::ExceedsJob, field, 0, what));
    };
    const Resources& need = m.resources;
    if (need.cpuMillicores > jobResources.cpuMillicores)
        return exceeds("resources.cpu", "needs " + std::to_string(need.cpuMillicores) + "m, the job has " +
                                            std::to_string(jobResources.cpuMillicores) + "m");
    if (need.memoryMib > jobResources.memoryMib)
        return exceeds("resources.memory", "needs " + std::to_string(need.memoryMib) + " MiB, the job has " +
                                               std::to_string(jobResources.memoryMib) + " MiB");
    if (need.storageGib > jobResources.storageGib)
        return exceeds("resources.storage", "needs " + std::to_string(need.storageGib) + " GiB, the job has " +
                                                std::to_string(jobResources.storageGib) + " GiB");
    for (const GpuCount& g : need.gpus) {
        const auto have = std::find_if(jobResources.gpus.begin(), jobResources.gpus.end(),
                                       [&](const GpuCount& j) { return j.model == g.model; });
        const std::uint32_t haveCount = have == jobResources.gpus.end() ? 0 : have->count;
        if (g.count > haveCount)
            return exceeds("resources.gpus." + g.model,
                           "needs " + std::to_string(g.count) + ", the job has " + std::to_string(haveCount));
    }
    return {};
}

}  // namespace agora::manifest
