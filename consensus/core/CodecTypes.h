#pragma once
// Codec helpers for the core value types shared by messages, headers and
// state values. See docs/encoding.md for the byte layout of each.

#include <optional>
#include <vector>

#include "consensus/core/Address.h"
#include "consensus/core/Amount.h"
#include "consensus/core/Codec.h"
#include "consensus/core/Hash256.h"
#include "consensus/core/PublicKey.h"

namespace agora::codec {

inline void put(Writer& w, const Amount& a) { w.u64(a.micro()); }
inline void put(Writer& w, const Address& a) { w.fixed(a.bytes()); }
inline void put(Writer& w, const Hash256& h) { w.fixed(h.bytes()); }
inline void put(Writer& w, const PublicKey& k) { w.fixed(k.bytes()); }
inline void put(Writer& w, const Signature& s) { w.fixed(s.bytes()); }

inline Amount getAmount(Reader& r) { return Amount(r.u64()); }
inline Address getAddress(Reader& r) { return Address(r.fixed<Address::kSize>()); }
inline Hash256 getHash(Reader& r) { return Hash256(r.fixed<Hash256::kSize>()); }
inline PublicKey getPublicKey(Reader& r) { return PublicKey(r.fixed<PublicKey::kSize>()); }
inline Signature getSignature(Reader& r) { return Signature(r.fixed<Signature::kSize>()); }

// optional<T>: presence bool then the value.
template <typename T, typename PutFn>
void putOptional(Writer& w, const std::optional<T>& v, PutFn&& putFn) {
    w.boolean(v.has_value());
    if (v) putFn(w, *v);
}

template <typename T, typename GetFn>
std::optional<T> getOptional(Reader& r, GetFn&& getFn) {
    if (!r.boolean() || !r.ok()) return std::nullopt;
    return getFn(r);
}

// list<T> with element codec functions.
template <typename T, typename PutFn>
void putList(Writer& w, const std::vector<T>& items, PutFn&& putFn) {
    w.varint(items.size());
    for (const auto& item : items) putFn(w, item);
}

template <typename T, typename GetFn>
std::vector<T> getList(Reader& r, std::size_t maxCount, GetFn&& getFn, std::size_t minCount = 0) {
    const std::size_t n = r.count(maxCount, minCount);
    std::vector<T> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n && r.ok(); ++i) out.push_back(getFn(r));
    return out;
}

}  // namespace agora::codec
