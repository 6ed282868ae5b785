#include "node/provider/AgentStore.h"

#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <cstdio>

namespace agora::provider {

namespace {
std::string fixed(std::uint64_t id) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%020llu", static_cast<unsigned long long>(id));
    return buf;
}
leveldb::WriteOptions synced() {
    leveldb::WriteOptions o;
    o.sync = true;
    return o;
}
}  // namespace

Expected<std::unique_ptr<AgentStore>, std::string> AgentStore::open(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Unexpected("cannot create " + dir.string() + ": " + ec.message());
    leveldb::Options opts;
    opts.create_if_missing = true;
    leveldb::DB* raw = nullptr;
    const leveldb::Status st = leveldb::DB::Open(opts, dir.string(), &raw);
    if (!st.ok()) return Unexpected("cannot open the agent store " + dir.string() + ": " + st.ToString());
    return std::unique_ptr<AgentStore>(new AgentStore(std::unique_ptr<leveldb::DB>(raw)));
}

AgentStore::AgentStore(std::unique_ptr<leveldb::DB> db) : db_(std::move(db)) {}
AgentStore::~AgentStore() = default;

void AgentStore::putJson(const std::string& key, const nlohmann::json& value, bool durable) {
    putBytes(key, value.dump(), durable);
}

void AgentStore::putJsonBatch(const std::vector<std::pair<std::string, nlohmann::json>>& records) {
    if (records.empty()) return;
    leveldb::WriteBatch batch;
    for (const auto& [key, value] : records) batch.Put(key, value.dump());
    const leveldb::Status st = db_->Write(synced(), &batch);
    if (!st.ok()) throw std::runtime_error("agent store write failed: " + st.ToString());
}

std::optional<nlohmann::json> AgentStore::getJson(const std::string& key) const {
    auto raw = getBytes(key);
    if (!raw) return std::nullopt;
    auto j = nlohmann::json::parse(*raw, nullptr, false);
    if (j.is_discarded()) return std::nullopt;  // a record we cannot read is rebuilt from the chain
    return j;
}

void AgentStore::putBytes(const std::string& key, const std::string& value, bool durable) {
    const leveldb::Status st = db_->Put(durable ? synced() : leveldb::WriteOptions{}, key, value);
    if (!st.ok()) throw std::runtime_error("agent store write failed: " + st.ToString());
}

std::optional<std::string> AgentStore::getBytes(const std::string& key) const {
    std::string value;
    const leveldb::Status st = db_->Get(leveldb::ReadOptions(), key, &value);
    if (st.IsNotFound()) return std::nullopt;
    if (!st.ok()) throw std::runtime_error("agent store read failed: " + st.ToString());
    return value;
}

void AgentStore::erase(const std::string& key) {
    const leveldb::Status st = db_->Delete(synced(), key);
    if (!st.ok()) throw std::runtime_error("agent store delete failed: " + st.ToString());
}

std::vector<std::pair<std::string, std::string>> AgentStore::scan(const std::string& prefix) const {
    std::vector<std::pair<std::string, std::string>> out;
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next())
        out.emplace_back(it->key().ToString(), it->value().ToString());
    return out;
}

std::string AgentStore::leaseKey(std::uint64_t leaseId) {
    return "lease/" + fixed(leaseId);
}
std::string AgentStore::manifestKey(std::uint64_t leaseId) {
    return "manifest/" + fixed(leaseId);
}
std::string AgentStore::bidKey(std::uint64_t jobId) {
    return "bid/" + fixed(jobId);
}

}  // namespace agora::provider
