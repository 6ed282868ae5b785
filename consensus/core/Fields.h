#pragma once
// A codec type's fields listed once for both directions (as Bitcoin Core's
// SERIALIZE_METHODS / READWRITE; design decision 54). A type declares
//
//   template <typename IO, typename Self> static void fields(IO& io, Self& m);
//
// and lists its fields in wire order, `io(m.to, m.amount)`. The Encoder runs
// the list on a const value and writes; the Decoder runs it on a fresh value
// and reads. What only decoding needs travels with the field and is ignored by
// the encoder: length and count bounds (limited, list), the sort order of a
// keyed list (sortedList), the domain of an enum byte (oneOf), a format tag
// (tag) and value checks (io.check), each failing the Reader with the same
// CodecError, at the same byte, as a hand-written decoder would.
//
// In the class, AGORA_CODEC_FIELDS_DECL(T) (Codec.h) declares the three; in the
// .cpp, AGORA_CODEC_FIELDS(T) defines T::encodeTo and T::decodeFrom (Codec.h's
// contract) from T::fields, and the fields list itself follows it:
//
//   AGORA_CODEC_FIELDS(MsgSend)
//   template <typename IO, typename Self>
//   void MsgSend::fields(IO& io, Self& m) { io(m.to, m.amount); }
//
// Supported fields: u8/u16/u32/u64, bool, Amount, Address, Hash256, PublicKey,
// Signature, any type with encodeTo/decodeFrom, any type with encodeField /
// decodeField found by argument-dependent lookup (Msg), std::optional of any
// of these, and the wrappers below.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "consensus/core/Codec.h"
#include "consensus/core/CodecTypes.h"

namespace agora::codec {

// Bounds a decoder enforces on a length or a count.
struct Bounds {
    std::size_t max = 0;
    std::size_t min = 0;
};

// A length-prefixed string or byte string (or an optional one) and its bounds.
template <typename T>
struct Limited {
    T& value;
    Bounds length;
};
template <typename T>
Limited<T> limited(T& value, std::size_t maxLen, std::size_t minLen = 0) {
    return {value, {maxLen, minLen}};
}

// When a keyed list's order is checked: after the whole list was read (keyed
// sets in state and messages), or as each element arrives (certificates).
enum class SortCheck : std::uint8_t { None, AfterList, EachElement };

// The key of a list that has no order to check.
struct Unsorted {};

// A list (or an optional one): varint count within `count`, then each
// element; string or byte elements are bounded by `element`. With a key,
// decoding fails NotSorted unless the keys strictly increase.
template <typename V, typename Key>
struct List {
    V& items;
    Bounds count;
    Bounds element;
    Key key;
    SortCheck sort;
};
template <typename V>
List<V, Unsorted> list(V& items, std::size_t maxCount, std::size_t minCount = 0) {
    return {items, {maxCount, minCount}, {}, Unsorted{}, SortCheck::None};
}
template <typename V>
List<V, Unsorted> list(V& items, Bounds count, Bounds element) {
    return {items, count, element, Unsorted{}, SortCheck::None};
}
template <typename V, typename Key>
List<V, Key> sortedList(V& items, std::size_t maxCount, Key key, SortCheck when = SortCheck::AfterList) {
    return {items, {maxCount, 0}, {}, key, when};
}
template <typename V, typename Key>
List<V, Key> sortedList(V& items, Bounds count, Key key, SortCheck when = SortCheck::AfterList) {
    return {items, count, {}, key, when};
}

// An enum carried as one byte, valid in [min, max] (else InvalidEnum).
template <typename E>
struct OneOf {
    E& value;
    std::uint8_t min;
    std::uint8_t max;
};
template <typename E>
OneOf<E> oneOf(E& value, std::uint8_t min, std::uint8_t max) {
    return {value, min, max};
}

// A constant format byte (a version): written as is; any other byte read
// fails UnknownTag.
struct Tag {
    std::uint8_t value;
};
inline Tag tag(std::uint8_t value) {
    return {value};
}

template <typename T>
concept Codable = requires(const T& t, Writer& w, Reader& r) {
    t.encodeTo(w);
    { T::decodeFrom(r) } -> std::same_as<T>;
};

// A type coded by free functions (a std::variant cannot have members).
template <typename T>
concept FreeCodable = requires(const T& t, T& v, Writer& w, Reader& r) {
    encodeField(w, t);
    decodeField(r, v);
};

template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};

class Encoder {
public:
    static constexpr bool kDecoding = false;
    explicit Encoder(Writer& w) : w_(w) {}

    template <typename... Fs>
    void operator()(Fs&&... fields) {
        (one(std::forward<Fs>(fields)), ...);
    }
    // Decode-time checks; nothing to do when writing.
    void check(bool, CodecError) {}
    template <typename Fn>
    void verify(Fn&&) {}

private:
    void one(std::uint8_t v) { w_.u8(v); }
    void one(std::uint16_t v) { w_.u16(v); }
    void one(std::uint32_t v) { w_.u32(v); }
    void one(std::uint64_t v) { w_.u64(v); }
    void one(bool v) { w_.boolean(v); }
    void one(const Amount& v) { put(w_, v); }
    void one(const Address& v) { put(w_, v); }
    void one(const Hash256& v) { put(w_, v); }
    void one(const PublicKey& v) { put(w_, v); }
    void one(const Signature& v) { put(w_, v); }
    void one(Tag t) { w_.u8(t.value); }
    template <typename T>
    void one(const T& v) requires Codable<T> {
        v.encodeTo(w_);
    }
    template <typename T>
    void one(const T& v) requires FreeCodable<T> {
        encodeField(w_, v);
    }
    template <typename T>
    void one(const std::optional<T>& v) {
        w_.boolean(v.has_value());
        if (v) one(*v);
    }
    template <typename E>
    void one(OneOf<E> e) {
        w_.u8(static_cast<std::uint8_t>(e.value));
    }
    template <typename T>
    void one(Limited<T> l) {
        if constexpr (IsOptional<std::remove_const_t<T>>::value) {
            w_.boolean(l.value.has_value());
            if (l.value) text(*l.value);
        } else {
            text(l.value);
        }
    }
    template <typename V, typename Key>
    void one(List<V, Key> l) {
        if constexpr (IsOptional<std::remove_const_t<V>>::value) {
            w_.boolean(l.items.has_value());
            if (l.items)
                one(List<const typename std::remove_const_t<V>::value_type, Key>{*l.items, l.count, l.element, l.key,
                                                                                 l.sort});
        } else {
            elements(l);
        }
    }
    template <typename V, typename Key>
    void elements(List<V, Key> l) {
        w_.varint(l.items.size());
        for (const auto& item : l.items) {
            if constexpr (std::is_same_v<std::decay_t<decltype(item)>, std::string> ||
                          std::is_same_v<std::decay_t<decltype(item)>, Bytes>)
                text(item);
            else
                one(item);
        }
    }
    void text(const std::string& s) { w_.string(s); }
    void text(const Bytes& b) { w_.bytes(b); }

    Writer& w_;
};

class Decoder {
public:
    static constexpr bool kDecoding = true;
    explicit Decoder(Reader& r) : r_(r) {}

    template <typename... Fs>
    void operator()(Fs&&... fields) {
        (one(std::forward<Fs>(fields)), ...);
    }
    // Fails with `code` unless `ok` holds (checked only while the input is good).
    void check(bool ok, CodecError code) {
        if (r_.ok() && !ok) r_.fail(code);
    }
    // Runs `fn` (returning std::optional<CodecError>) while the input is good.
    template <typename Fn>
    void verify(Fn&& fn) {
        if (!r_.ok()) return;
        if (const std::optional<CodecError> e = fn()) r_.fail(*e);
    }

private:
    void one(std::uint8_t& v) { v = r_.u8(); }
    void one(std::uint16_t& v) { v = r_.u16(); }
    void one(std::uint32_t& v) { v = r_.u32(); }
    void one(std::uint64_t& v) { v = r_.u64(); }
    void one(bool& v) { v = r_.boolean(); }
    void one(Amount& v) { v = getAmount(r_); }
    void one(Address& v) { v = getAddress(r_); }
    void one(Hash256& v) { v = getHash(r_); }
    void one(PublicKey& v) { v = getPublicKey(r_); }
    void one(Signature& v) { v = getSignature(r_); }
    void one(Tag t) {
        if (r_.u8() != t.value && r_.ok()) r_.fail(CodecError::UnknownTag);
    }
    template <typename T>
    void one(T& v) requires Codable<T> {
        v = T::decodeFrom(r_);
    }
    template <typename T>
    void one(T& v) requires FreeCodable<T> {
        decodeField(r_, v);
    }
    template <typename T>
    void one(std::optional<T>& v) {
        v.reset();
        if (!r_.boolean() || !r_.ok()) return;
        T inner{};
        one(inner);
        v = std::move(inner);
    }
    template <typename E>
    void one(OneOf<E> e) {
        const std::uint8_t b = r_.u8();
        if (r_.ok() && (b < e.min || b > e.max)) r_.fail(CodecError::InvalidEnum);
        e.value = static_cast<E>(b);
    }
    template <typename T>
    void one(Limited<T> l) {
        if constexpr (IsOptional<T>::value) {
            l.value.reset();
            if (!r_.boolean() || !r_.ok()) return;
            typename T::value_type inner{};
            text(inner, l.length);
            l.value = std::move(inner);
        } else {
            text(l.value, l.length);
        }
    }
    template <typename V, typename Key>
    void one(List<V, Key> l) {
        if constexpr (IsOptional<V>::value) {
            l.items.reset();
            if (!r_.boolean() || !r_.ok()) return;
            typename V::value_type inner{};
            one(List<typename V::value_type, Key>{inner, l.count, l.element, l.key, l.sort});
            l.items = std::move(inner);
        } else {
            elements(l);
        }
    }
    template <typename V, typename Key>
    void elements(List<V, Key> l) {
        using T = typename V::value_type;
        const std::size_t n = r_.count(l.count.max, l.count.min);
        l.items.clear();
        l.items.reserve(n);
        for (std::size_t i = 0; i < n && r_.ok(); ++i) {
            T item{};
            if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, Bytes>)
                text(item, l.element);
            else
                one(item);
            if constexpr (!std::is_same_v<Key, Unsorted>) {
                if (l.sort == SortCheck::EachElement && r_.ok() && !l.items.empty() &&
                    !(l.key(l.items.back()) < l.key(item)))
                    r_.fail(CodecError::NotSorted);
            }
            l.items.push_back(std::move(item));
        }
        if constexpr (!std::is_same_v<Key, Unsorted>) {
            if (l.sort == SortCheck::AfterList) {
                for (std::size_t i = 1; i < l.items.size(); ++i)
                    if (!(l.key(l.items[i - 1]) < l.key(l.items[i]))) r_.fail(CodecError::NotSorted);
            }
        }
    }
    void text(std::string& s, Bounds b) { s = r_.string(b.max, b.min); }
    void text(Bytes& v, Bounds b) { v = r_.bytes(b.max, b.min); }

    Reader& r_;
};

}  // namespace agora::codec

// Defines T::encodeTo and T::decodeFrom from T::fields (the three declared in
// the class by AGORA_CODEC_FIELDS_DECL, Codec.h).
#define AGORA_CODEC_FIELDS(T)           \
    void T::encodeTo(Writer& w) const { \
        ::agora::codec::Encoder io(w);  \
        fields(io, *this);              \
    }                                   \
    T T::decodeFrom(Reader& r) {        \
        T m{};                          \
        ::agora::codec::Decoder io(r);  \
        fields(io, m);                  \
        return m;                       \
    }
