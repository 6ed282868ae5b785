#include "node/provider/ProviderConfig.h"

#include <toml++/toml.h>
#include <fstream>
#include <functional>
#include <sstream>

#include "node/config/TomlString.h"

namespace agora::provider {
namespace {

std::string quote(const std::string& s) {
    return node::tomlQuote(s);
}

// One key of one section: how to read it and how to print it.
struct Key {
    std::string name;
    std::string comment;
    std::function<std::optional<std::string>(const toml::node&)> read;  // error or nullopt
    std::function<std::string()> show;
};

Key text(std::string name, std::string comment, std::string& ref) {
    return {std::move(name), std::move(comment),
            [&ref](const toml::node& n) -> std::optional<std::string> {
                if (!n.is_string()) return "must be a string";
                ref = *n.value<std::string>();
                return std::nullopt;
            },
            [&ref] { return quote(ref); }};
}

template <typename T>
Key integer(std::string name, std::string comment, T& ref, std::uint64_t min, std::uint64_t max) {
    return {std::move(name), std::move(comment),
            [&ref, min, max](const toml::node& n) -> std::optional<std::string> {
                if (!n.is_integer()) return "must be an integer";
                const std::int64_t v = *n.value<std::int64_t>();
                if (v < 0 || static_cast<std::uint64_t>(v) < min || static_cast<std::uint64_t>(v) > max)
                    return "must be in " + std::to_string(min) + ".." + std::to_string(max);
                ref = static_cast<T>(v);
                return std::nullopt;
            },
            [&ref] { return std::to_string(ref); }};
}

// A list of strings: `key = ["a", "b"]`.
Key strings(std::string name, std::string comment, std::vector<std::string>& ref) {
    return {std::move(name), std::move(comment),
            [&ref](const toml::node& n) -> std::optional<std::string> {
                const toml::array* a = n.as_array();
                if (a == nullptr) return "must be a list of strings";
                std::vector<std::string> out;
                for (const toml::node& e : *a) {
                    if (!e.is_string()) return "must be a list of strings";
                    out.push_back(*e.value<std::string>());
                }
                ref = std::move(out);
                return std::nullopt;
            },
            [&ref] {
                std::string out = "[";
                for (std::size_t i = 0; i < ref.size(); ++i) out += (i == 0 ? "" : ", ") + quote(ref[i]);
                return out + "]";
            }};
}

Key boolean(std::string name, std::string comment, bool& ref) {
    return {std::move(name), std::move(comment),
            [&ref](const toml::node& n) -> std::optional<std::string> {
                if (!n.is_boolean()) return "must be true or false";
                ref = *n.value<bool>();
                return std::nullopt;
            },
            [&ref] { return std::string(ref ? "true" : "false"); }};
}

// Amounts are strings ("1000000", "1.5agr") so they never pass through a float.
Key amount(std::string name, std::string comment, Amount& ref) {
    return {std::move(name), std::move(comment),
            [&ref](const toml::node& n) -> std::optional<std::string> {
                std::optional<Amount> a;
                if (n.is_string()) a = Amount::parse(*n.value<std::string>());
                if (n.is_integer() && *n.value<std::int64_t>() >= 0)
                    a = Amount(static_cast<std::uint64_t>(*n.value<std::int64_t>()));
                if (!a) return "must be an amount in uagr (\"1000000\") or agr (\"1.5agr\")";
                ref = *a;
                return std::nullopt;
            },
            [&ref] { return quote(std::to_string(ref.micro())); }};
}

struct Section {
    std::string name;
    std::vector<Key> keys;
};

std::vector<Section> schema(ProviderConfig& c) {
    return {
        {"chain",
         {text("node", "gRPC address of an agorad", c.node),
          text("chain_id", "expected chain id; empty = ask the node", c.chainId)}},
        {"key",
         {text("name", "keyring key that signs the provider's txs", c.keyName),
          text("keyring_dir", "keyring directory; empty = the wallet default (~/.agora/keyring)", c.keyringDir),
          text("passphrase_file", "file holding the key's passphrase; empty = $AGORA_PASSPHRASE_FILE",
               c.passphraseFile)}},
        {"gateway",
         {text("listen", "address the provider gateway (gRPC) listens on", c.gatewayListen),
          text("host_uri", "host:port clients reach the gateway at (on chain); empty = listen", c.hostUri),
          integer("auth_window_ms", "accepted clock skew of signed client requests", c.authWindowMs, 1'000, 3'600'000),
          integer("max_requests_per_minute", "per client address", c.maxRequestsPerMinute, 1, 1'000'000)}},
        {"registration",
         {amount("stake", "provider stake bonded at registration", c.stake),
          integer("cpu_millicores", "advertised CPU (discovered by init)", c.capacity.cpuMillicores, 0, UINT32_MAX),
          integer("memory_mib", "advertised memory", c.capacity.memoryMib, 0, UINT32_MAX),
          integer("storage_gib", "advertised storage", c.capacity.storageGib, 0, UINT32_MAX)}},
        {"pricing",
         {amount("per_cpu_millicore", "offer 1: uagr per millicore per second", c.pricePerCpuMillicore),
          amount("per_memory_mib", "offer 1: uagr per MiB per second", c.pricePerMemoryMib),
          amount("per_storage_gib", "offer 1: uagr per GiB per second", c.pricePerStorageGib),
          integer("margin_bps", "bid = offer price x margin_bps / 10000", c.marginBps, 0, 1'000'000),
          text("price_script", "optional executable: job JSON on stdin, price (uagr/s) on stdout", c.priceScript),
          integer("price_script_timeout_ms", "no answer in time = no bid", c.priceScriptTimeoutMs, 10, 60'000)}},
        {"bidding",
         {boolean("enabled", "bid on jobs", c.bidding),
          amount("bid_deposit", "anti-spam deposit per bid (refunded when it closes)", c.bidDeposit),
          integer("max_open_bids", "open bids at once", c.maxOpenBids, 0, 100'000),
          integer("min_client_balance", "skip clients with less balance (uagr); 0 = anyone", c.minClientBalance, 0,
                  UINT64_MAX >> 1)}},
        {"leases",
         {integer("manifest_timeout_blocks", "close manifest_timeout when no manifest arrives within",
                  c.manifestTimeoutBlocks, 1, 1'000'000),
          integer("report_interval_blocks", "usage_report every", c.reportIntervalBlocks, 1, 1'000'000),
          integer("withdraw_interval_blocks", "withdraw accrued earnings every", c.withdrawIntervalBlocks, 1,
                  1'000'000),
          integer("reconcile_interval_blocks", "re-list leases on chain every", c.reconcileIntervalBlocks, 1,
                  1'000'000)}},
        {"runtime",
         {text("kind", "process | slurm", c.runtime),
          text("advertise_host", "host in the endpoints clients get", c.advertiseHost),
          integer("port_range_first", "host ports for exposed services", c.portRangeFirst, 1024, 65535),
          integer("port_range_last", "", c.portRangeLast, 1024, 65535),
          integer("log_cap_bytes", "kept log bytes per service", c.logCapBytes, 4096, 1ull << 34),
          text("cgroup_parent", "cgroup under which workloads run", c.cgroupParent),
          text("bwrap", "bubblewrap binary", c.bwrapPath)}},
        {"slurm",
         {text("partition", "partition the jobs go to; empty = the cluster's default", c.slurmPartition),
          text("account", "sbatch --account; empty = the Slurm user's default", c.slurmAccount),
          text("qos", "sbatch --qos; empty = the association's default", c.slurmQos),
          strings("sbatch_args", "extra sbatch options, e.g. [\"--constraint=ib\"]", c.slurmSbatchArgs),
          text("slurm_conf", "SLURM_CONF for the Slurm commands; empty = Slurm's default", c.slurmConf),
          text("bin_dir", "directory of sbatch, squeue, scontrol, scancel, sinfo; empty = $PATH", c.slurmBinDir),
          text("state_dir", "job scripts, logs, exit files: shared with the compute nodes; empty = <home>/data/slurm",
               c.slurmStateDir),
          text("job_name_prefix", "jobs are named <prefix><lease id>-<service>", c.slurmJobNamePrefix)}},
        {"fees", {amount("fee", "fee per tx", c.fee)}},
    };
}

std::string attributeKey(const std::string& k) {
    return k;
}

}  // namespace

std::filesystem::path providerConfigPath(const std::filesystem::path& home) {
    return home / "provider.toml";
}

Expected<ProviderConfig, std::string> loadProviderConfig(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) return Unexpected(std::string("cannot read ") + file.string() + " (run agora-provider init first)");
    std::stringstream ss;
    ss << in.rdbuf();
    toml::table doc;
    try {
        doc = toml::parse(ss.str(), file.string());
    } catch (const toml::parse_error& e) {
        std::ostringstream msg;
        msg << file.string() << ":" << e.source().begin.line << ": " << e.description();
        return Unexpected(msg.str());
    }
    ProviderConfig c;
    auto sections = schema(c);
    for (auto& [secName, secNode] : doc) {
        const std::string sec(secName.str());
        if (sec == "attributes") {
            if (!secNode.is_table()) return Unexpected(std::string("[attributes] must be a table"));
            for (auto& [k, v] : *secNode.as_table()) {
                if (!v.is_string()) return Unexpected("attributes." + std::string(k.str()) + " must be a string");
                c.attributes.push_back(Attribute{attributeKey(std::string(k.str())), *v.value<std::string>()});
            }
            continue;
        }
        if (sec == "gpus") {
            if (!secNode.is_table()) return Unexpected(std::string("[gpus] must be a table"));
            for (auto& [k, v] : *secNode.as_table()) {
                if (!v.is_integer() || *v.value<std::int64_t>() < 0)
                    return Unexpected("gpus." + std::string(k.str()) + " must be a count");
                c.capacity.gpus.push_back(
                    GpuCount{std::string(k.str()), static_cast<std::uint32_t>(*v.value<std::int64_t>())});
            }
            continue;
        }
        auto it = std::find_if(sections.begin(), sections.end(), [&](const Section& s) { return s.name == sec; });
        if (it == sections.end() || !secNode.is_table())
            return Unexpected(file.string() + ": unknown section [" + sec + "]");
        for (auto& [keyName, value] : *secNode.as_table()) {
            const std::string key(keyName.str());
            auto k = std::find_if(it->keys.begin(), it->keys.end(), [&](const Key& x) { return x.name == key; });
            if (k == it->keys.end()) return Unexpected(file.string() + ": unknown key " + sec + "." + key);
            if (auto err = k->read(value)) return Unexpected(file.string() + ": " + sec + "." + key + " " + *err);
        }
    }
    std::sort(c.attributes.begin(), c.attributes.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
    std::sort(c.capacity.gpus.begin(), c.capacity.gpus.end(),
              [](const auto& a, const auto& b) { return a.model < b.model; });
    if (c.runtime != "process" && c.runtime != "slurm")
        return Unexpected("runtime.kind must be \"process\" or \"slurm\" (got \"" + c.runtime + "\")");
    if (c.slurmJobNamePrefix.empty() || c.slurmJobNamePrefix.find_first_of(" \t\n,") != std::string::npos)
        return Unexpected(std::string("slurm.job_name_prefix must be non-empty, without spaces or commas"));
    if (c.portRangeFirst > c.portRangeLast)
        return Unexpected(std::string("runtime.port_range_first > port_range_last"));
    return c;
}

std::string renderProviderConfig(const ProviderConfig& config) {
    ProviderConfig c = config;
    std::ostringstream out;
    out << "# agora-provider configuration (docs/provider.md lists every key)\n";
    for (auto& s : schema(c)) {
        out << "\n[" << s.name << "]\n";
        for (auto& k : s.keys) {
            if (!k.comment.empty()) out << "# " << k.comment << "\n";
            out << k.name << " = " << k.show() << "\n";
        }
    }
    out << "\n# provider attributes on chain (jobs' constraints match them)\n[attributes]\n";
    for (const auto& a : c.attributes) out << quote(a.key) << " = " << quote(a.value) << "\n";
    out << "\n# GPUs by model (discovered with nvidia-smi by init)\n[gpus]\n";
    for (const auto& g : c.capacity.gpus) out << quote(g.model) << " = " << g.count << "\n";
    return out.str();
}

}  // namespace agora::provider
