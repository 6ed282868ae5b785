#pragma once
// The agent's own state in LevelDB under <home>/data/agent: a cache of what it
// did (bids placed per job, the lease -> manifest -> workload map, the last
// report and withdrawal heights, the chain height it had seen). The chain is
// the truth: on start the agent reconciles this cache against the chain and
// its runtime; losing the directory loses no lease, only the manifests of
// leases that never reached the runtime (their clients send them again).
// Every write is synced: a record written before a crash is there after it.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "consensus/core/Expected.h"

namespace leveldb {
class DB;
}

namespace agora::provider {

class AgentStore {
public:
    static Expected<std::unique_ptr<AgentStore>, std::string> open(const std::filesystem::path& dir);
    ~AgentStore();
    AgentStore(const AgentStore&) = delete;
    AgentStore& operator=(const AgentStore&) = delete;

    // Values are JSON objects (the agent's own, never hashed or signed).
    // Writes are fsynced unless `durable` is false (a record the chain can
    // rebuild, where losing the last write to a power cut costs nothing).
    void putJson(const std::string& key, const nlohmann::json& value, bool durable = true);
    std::optional<nlohmann::json> getJson(const std::string& key) const;
    // Several records in one synced write: all of them or none after a crash.
    void putJsonBatch(const std::vector<std::pair<std::string, nlohmann::json>>& records);
    void putBytes(const std::string& key, const std::string& value, bool durable = true);
    std::optional<std::string> getBytes(const std::string& key) const;
    void erase(const std::string& key);
    // Every key with the prefix, in key order.
    std::vector<std::pair<std::string, std::string>> scan(const std::string& prefix) const;

    // Key helpers: fixed-width ids so key order is numeric order.
    static std::string leaseKey(std::uint64_t leaseId);
    static std::string manifestKey(std::uint64_t leaseId);
    static std::string bidKey(std::uint64_t jobId);

private:
    explicit AgentStore(std::unique_ptr<leveldb::DB> db);
    std::unique_ptr<leveldb::DB> db_;
};

}  // namespace agora::provider
