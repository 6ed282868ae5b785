#include "contracts/Store.h"

namespace agora::contracts {

std::uint64_t Store::loadU64(const Bytes& key) const {
    auto raw = state_.get(key);
    if (!raw) return 0;
    Reader r(*raw);
    const std::uint64_t v = r.u64();
    r.expectEnd();
    if (!r.ok()) std::abort();
    return v;
}

void Store::saveU64(const Bytes& key, std::uint64_t v) {
    Writer w;
    w.u64(v);
    state_.put(key, w.data());
}

std::uint64_t Store::nextId(keys::Counter c) {
    const Bytes key = keys::counter(c);
    const std::uint64_t current = loadU64(key);
    const std::uint64_t id = current == 0 ? 1 : current;
    saveU64(key, id + 1);
    return id;
}

std::vector<Bytes> Store::keysWithPrefix(const Bytes& prefix, std::size_t limit) const {
    std::vector<Bytes> out;
    if (limit == 0) return out;
    state_.scan(prefix, {}, [&](ByteSpan key, ByteSpan) {
        out.emplace_back(key.begin(), key.end());
        return out.size() < limit;
    });
    return out;
}

std::vector<Bytes> Store::keysUpTo(std::uint8_t p, std::uint64_t bound) const {
    std::vector<Bytes> out;
    const Bytes prefix{p};
    state_.scan(prefix, {}, [&](ByteSpan key, ByteSpan) {
        if (key.size() < 9 || keys::u64At(key, 1) > bound) return false;
        out.emplace_back(key.begin(), key.end());
        return true;
    });
    return out;
}

}  // namespace agora::contracts
