#include "node/genesis/GenesisFile.h"

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace agora::node {

using nlohmann::json;

namespace {

std::optional<std::uint64_t> parseU64(const json& v) {
    if (v.is_number_unsigned()) return v.get<std::uint64_t>();
    return std::nullopt;
}

// Params in JSON: every parameter by its name (contracts::paramInfos), amounts
// as decimal strings of uagr, the others as numbers.
json paramJson(const contracts::Params& p, const contracts::ParamInfo& info) {
    const std::string v = contracts::paramValue(p, info.name).value_or("");
    if (info.kind == contracts::ParamKind::Amount) return json(v);
    return json(std::stoull(v));
}

std::optional<std::string> setParamJson(contracts::Params& p, std::string_view name, const json& v) {
    const auto kind = contracts::paramKind(name);
    if (!kind) return "unknown";
    std::string text;
    if (*kind == contracts::ParamKind::Amount) {
        if (!v.is_string()) return "must be a string of uagr";
        auto a = Amount::parse(v.get<std::string>());
        if (!a) return "must be a decimal amount of uagr";
        text = a->toString();
    } else {
        auto n = parseU64(v);
        if (!n) return "must be an unsigned integer in range";
        text = std::to_string(*n);
    }
    if (contracts::setParam(p, name, text) != state::ResultCode::Ok)
        return *kind == contracts::ParamKind::Amount ? "must be a decimal amount of uagr"
                                                     : "must be an unsigned integer in range";
    return std::nullopt;
}

// Throws the field-naming message; caught in parse().
struct Bad {
    std::string message;
};

void allowOnly(const json& obj, const std::string& where, std::initializer_list<const char*> keys) {
    if (!obj.is_object()) throw Bad{where + " must be an object"};
    std::set<std::string> allowed(keys.begin(), keys.end());
    for (const auto& [k, v] : obj.items())
        if (allowed.count(k) == 0) throw Bad{"unknown field " + (where.empty() ? k : where + "." + k)};
}

const json& need(const json& obj, const std::string& where, const char* key) {
    if (!obj.contains(key)) throw Bad{"missing field " + (where.empty() ? std::string(key) : where + "." + key)};
    return obj[key];
}

std::string str(const json& v, const std::string& what) {
    if (!v.is_string()) throw Bad{what + " must be a string"};
    return v.get<std::string>();
}

std::uint64_t u64(const json& v, const std::string& what) {
    auto n = parseU64(v);
    if (!n) throw Bad{what + " must be an unsigned integer"};
    return *n;
}

Amount amount(const json& v, const std::string& what) {
    auto a = Amount::parse(str(v, what));
    if (!a) throw Bad{what + " must be a decimal amount of uagr"};
    return *a;
}

Address address(const json& v, const std::string& what, std::string_view prefix) {
    auto a = Address::fromBech32(str(v, what), prefix);
    if (!a) throw Bad{what + ": " + std::string(errorName(a.error()))};
    return *a;
}

json updatesJson(const std::vector<ValidatorUpdate>& updates) {
    json out = json::array();
    for (const auto& u : updates)
        out.push_back({{"consensus_key", u.consensusKey.toHex()}, {"power", std::to_string(u.power)}});
    return out;
}

json appStateJson(const contracts::GenesisState& s) {
    json pending = json::array();
    for (const auto& p : s.pendingUpdates)
        pending.push_back({{"effective_height", p.effectiveHeight}, {"updates", updatesJson(p.updates)}});
    json entries = json::array();
    for (const auto& [key, value] : s.entries) entries.push_back(json::array({toHex(key), toHex(value)}));
    return json{{"height", s.height},
                {"app_hash", s.appHash.toHex()},
                {"validator_set", updatesJson(s.validatorSet)},
                {"pending_validator_updates", pending},
                {"entries", entries}};
}

std::vector<ValidatorUpdate> parseUpdates(const json& arr, const std::string& where) {
    if (!arr.is_array()) throw Bad{where + " must be an array"};
    std::vector<ValidatorUpdate> out;
    std::set<PublicKey> seen;
    for (std::size_t i = 0; i < arr.size(); ++i) {
        const std::string at = where + "[" + std::to_string(i) + "]";
        allowOnly(arr[i], at, {"consensus_key", "power"});
        auto key = PublicKey::fromHex(str(need(arr[i], at, "consensus_key"), at + ".consensus_key"));
        if (!key || !key->isValid()) throw Bad{at + ".consensus_key must be 64 hex characters of a valid key"};
        if (!seen.insert(*key).second) throw Bad{at + ".consensus_key appears twice"};
        const std::string power = str(need(arr[i], at, "power"), at + ".power");
        std::uint64_t value = 0;
        bool ok = !power.empty() && power.size() <= 20 && (power.size() == 1 || power[0] != '0');
        for (const char c : power) {
            ok = ok && c >= '0' && c <= '9' && !__builtin_mul_overflow(value, 10U, &value) &&
                 !__builtin_add_overflow(value, static_cast<std::uint64_t>(c - '0'), &value);
        }
        if (!ok) throw Bad{at + ".power must be a decimal integer string"};
        out.push_back({*key, value});
    }
    return out;
}

// Strict: every entry is [hex key, hex value], keys strictly ascending (so
// no duplicates), and app_hash is the root the entries hash to.
contracts::GenesisState parseAppState(const json& j) {
    allowOnly(j, "app_state", {"height", "app_hash", "validator_set", "pending_validator_updates", "entries"});
    contracts::GenesisState s;
    s.height = u64(need(j, "app_state", "height"), "app_state.height");
    auto hash = Hash256::fromHex(str(need(j, "app_state", "app_hash"), "app_state.app_hash"));
    if (!hash) throw Bad{"app_state.app_hash must be 64 hex characters"};
    s.appHash = *hash;
    s.validatorSet = parseUpdates(need(j, "app_state", "validator_set"), "app_state.validator_set");
    if (s.validatorSet.empty()) throw Bad{"app_state.validator_set must not be empty"};
    for (const auto& u : s.validatorSet)
        if (u.power == 0) throw Bad{"app_state.validator_set: power must be at least 1"};
    if (j.contains("pending_validator_updates")) {
        const auto& pending = j["pending_validator_updates"];
        if (!pending.is_array()) throw Bad{"app_state.pending_validator_updates must be an array"};
        for (std::size_t i = 0; i < pending.size(); ++i) {
            const std::string at = "app_state.pending_validator_updates[" + std::to_string(i) + "]";
            allowOnly(pending[i], at, {"effective_height", "updates"});
            contracts::GenesisPendingUpdates p;
            p.effectiveHeight = u64(need(pending[i], at, "effective_height"), at + ".effective_height");
            if (p.effectiveHeight <= s.height + 1 ||
                (!s.pendingUpdates.empty() && p.effectiveHeight <= s.pendingUpdates.back().effectiveHeight))
                throw Bad{at + ".effective_height must increase and lie after app_state.height + 1"};
            p.updates = parseUpdates(need(pending[i], at, "updates"), at + ".updates");
            s.pendingUpdates.push_back(std::move(p));
        }
    }
    const auto& entries = need(j, "app_state", "entries");
    if (!entries.is_array()) throw Bad{"app_state.entries must be an array"};
    s.entries.reserve(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const std::string at = "app_state.entries[" + std::to_string(i) + "]";
        const auto& e = entries[i];
        if (!e.is_array() || e.size() != 2) throw Bad{at + " must be [hex key, hex value]"};
        auto key = fromHex(str(e[0], at + "[0]"));
        if (!key || key->empty()) throw Bad{at + "[0] must be a non-empty hex key"};
        auto value = fromHex(str(e[1], at + "[1]"));
        if (!value) throw Bad{at + "[1] must be hex"};
        if (!s.entries.empty()) {
            if (*key == s.entries.back().first) throw Bad{at + ": duplicate key " + toHex(*key)};
            if (*key < s.entries.back().first) throw Bad{at + ": keys must be in ascending order"};
        }
        s.entries.emplace_back(std::move(*key), std::move(*value));
    }
    auto root = contracts::genesisStateRoot(s.entries);
    if (!root) throw Bad{"app_state.entries: " + root.error().message};
    if (*root != s.appHash)
        throw Bad{"app_state.app_hash " + s.appHash.toHex() + " does not match the entries (they hash to " +
                  root->toHex() + ")"};
    return s;
}

json toJson(const GenesisDoc& doc) {
    const auto& g = doc.genesis;
    json params = json::object();
    for (const auto& info : contracts::paramInfos()) params[std::string(info.name)] = paramJson(g.params, info);
    json accounts = json::array();
    for (const auto& a : g.accounts)
        accounts.push_back({{"address", a.address.toBech32()}, {"balance", a.balance.toString()}});
    json validators = json::array();
    for (const auto& v : g.validators)
        validators.push_back({{"operator", v.operatorAddress.toBech32(kValidatorPrefix)},
                              {"consensus_key", v.consensusKey.toHex()},
                              {"moniker", v.moniker},
                              {"commission_bps", v.commissionBps},
                              {"self_stake", v.selfStake.toString()}});
    json out{{"chain_id", g.chainId},
             {"initial_height", g.initialHeight},
             {"genesis_time_ms", doc.genesisTimeMs},
             {"params", params},
             {"accounts", accounts},
             {"validators", validators}};
    if (g.appState) out["app_state"] = appStateJson(*g.appState);
    return out;
}

}  // namespace

Expected<GenesisDoc, std::string> GenesisDoc::parse(std::string_view text) {
    const json j = json::parse(text, nullptr, false);
    if (j.is_discarded()) return Unexpected(std::string("genesis: not valid JSON"));
    GenesisDoc doc;
    auto& g = doc.genesis;
    try {
        allowOnly(j, "",
                  {"chain_id", "initial_height", "genesis_time_ms", "params", "accounts", "validators", "app_state"});
        g.chainId = str(need(j, "", "chain_id"), "chain_id");
        if (j.contains("initial_height")) g.initialHeight = u64(j["initial_height"], "initial_height");
        if (g.initialHeight == 0) throw Bad{"initial_height must be at least 1"};
        doc.genesisTimeMs = u64(need(j, "", "genesis_time_ms"), "genesis_time_ms");
        if (j.contains("params")) {
            const auto& p = j["params"];
            if (!p.is_object()) throw Bad{"params must be an object"};
            for (const auto& [k, v] : p.items()) {
                if (!contracts::paramKind(k)) throw Bad{"unknown field params." + k};
                if (auto err = setParamJson(g.params, k, v)) throw Bad{"params." + k + " " + *err};
            }
        }
        const auto& accounts = need(j, "", "accounts");
        if (!accounts.is_array()) throw Bad{"accounts must be an array"};
        for (std::size_t i = 0; i < accounts.size(); ++i) {
            const std::string where = "accounts[" + std::to_string(i) + "]";
            allowOnly(accounts[i], where, {"address", "balance"});
            g.accounts.push_back({address(need(accounts[i], where, "address"), where + ".address", kAccountPrefix),
                                  amount(need(accounts[i], where, "balance"), where + ".balance")});
        }
        const auto& validators = need(j, "", "validators");
        if (!validators.is_array()) throw Bad{"validators must be an array"};
        for (std::size_t i = 0; i < validators.size(); ++i) {
            const std::string where = "validators[" + std::to_string(i) + "]";
            const auto& v = validators[i];
            allowOnly(v, where, {"operator", "consensus_key", "moniker", "commission_bps", "self_stake"});
            contracts::GenesisValidator gv;
            gv.operatorAddress = address(need(v, where, "operator"), where + ".operator", kValidatorPrefix);
            auto key = PublicKey::fromHex(str(need(v, where, "consensus_key"), where + ".consensus_key"));
            if (!key) throw Bad{where + ".consensus_key must be 64 hex characters"};
            gv.consensusKey = *key;
            gv.moniker = str(need(v, where, "moniker"), where + ".moniker");
            const auto bps = u64(need(v, where, "commission_bps"), where + ".commission_bps");
            if (bps > 10'000) throw Bad{where + ".commission_bps must be at most 10000"};
            gv.commissionBps = static_cast<std::uint32_t>(bps);
            gv.selfStake = amount(need(v, where, "self_stake"), where + ".self_stake");
            g.validators.push_back(std::move(gv));
        }
        if (j.contains("app_state")) {
            g.appState = parseAppState(j["app_state"]);
            if (!g.accounts.empty()) throw Bad{"accounts must be empty when app_state is present"};
            if (!g.validators.empty()) throw Bad{"validators must be empty when app_state is present"};
            if (g.initialHeight != g.appState->height + 1) throw Bad{"initial_height must be app_state.height + 1"};
        }
    } catch (const Bad& b) {
        return Unexpected("genesis: " + b.message);
    }
    return doc;
}

Expected<GenesisDoc, std::string> GenesisDoc::load(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) return Unexpected("genesis: cannot read " + file.string());
    std::stringstream ss;
    ss << in.rdbuf();
    return parse(ss.str());
}

std::string GenesisDoc::canonicalJson() const {
    return toJson(*this).dump();
}

std::string GenesisDoc::prettyJson() const {
    return toJson(*this).dump(2) + "\n";
}

Hash256 GenesisDoc::hash() const {
    return sha256(asBytes(canonicalJson()));
}

}  // namespace agora::node
