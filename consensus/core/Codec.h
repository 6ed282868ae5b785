#pragma once
// The canonical binary codec for everything hashed or signed (docs/encoding.md).
//
//   integers      fixed-width big-endian (u8, u16, u32, u64)
//   bool          one byte, 0x00 or 0x01
//   length/count  unsigned LEB128 varint, minimal form, at most 10 bytes
//   bytes/string  varint length then the bytes; strings are valid UTF-8
//   fixed arrays  raw bytes (hashes, keys, addresses, signatures)
//   optional<T>   bool presence, then T when present
//   list<T>       varint count then each element
//
// Every length and count has an upper bound given by the caller, checked
// before anything is allocated. Decoding is strict: any non-canonical input
// (non-minimal varint, bool not 0/1, trailing bytes, unknown tags) fails with
// a typed error. The Reader is sticky: after the first error every read
// returns a zero value and the first error is kept.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "consensus/core/Bytes.h"
#include "consensus/core/Expected.h"

namespace agora {

// Stable numeric codes; never renumber.
enum class CodecError : std::uint8_t {
    Truncated = 1,         // input ended inside a field
    TrailingBytes = 2,     // input continues after the value
    NonMinimalVarint = 3,  // varint with redundant continuation bytes
    VarintOverflow = 4,    // varint longer than 10 bytes or above 2^64-1
    LengthTooLong = 5,     // length or count above the field's bound
    LengthTooShort = 6,    // length or count below the field's minimum
    UnknownTag = 7,        // message type / version not defined
    InvalidBool = 8,       // bool byte other than 0 or 1
    InvalidEnum = 9,       // enum value not defined
    InvalidUtf8 = 10,      // string is not valid UTF-8
    NotSorted = 11,        // keyed list not strictly increasing (unsorted or duplicate)
    InvalidValue = 12,     // a value outside the field's domain (e.g. zero where forbidden)
};

std::string_view errorName(CodecError e);

struct DecodeError {
    CodecError code;
    std::size_t offset;  // byte offset where the error was detected
    std::string message() const;
};

class Writer {
public:
    Writer() = default;

    void u8(std::uint8_t v) { out_.push_back(v); }
    void u16(std::uint16_t v);
    void u32(std::uint32_t v);
    void u64(std::uint64_t v);
    void boolean(bool v) { u8(v ? 1 : 0); }
    void varint(std::uint64_t v);
    void bytes(ByteSpan b);           // length-prefixed
    void string(std::string_view s);  // length-prefixed UTF-8
    void raw(ByteSpan b);             // no prefix (fixed-size fields)
    template <std::size_t N>
    void fixed(const std::array<std::uint8_t, N>& a) {
        raw(ByteSpan(a.data(), N));
    }

    const Bytes& data() const& { return out_; }
    Bytes take() { return std::move(out_); }

private:
    Bytes out_;
};

class Reader {
public:
    explicit Reader(ByteSpan in) : in_(in) {}

    std::uint8_t u8();
    std::uint16_t u16();
    std::uint32_t u32();
    std::uint64_t u64();
    bool boolean();
    std::uint64_t varint();
    // Length-prefixed bytes/string with minimum and maximum length.
    Bytes bytes(std::size_t maxLen, std::size_t minLen = 0);
    std::string string(std::size_t maxLen, std::size_t minLen = 0);
    // A list count in [minCount, maxCount].
    std::size_t count(std::size_t maxCount, std::size_t minCount = 0);
    template <std::size_t N>
    std::array<std::uint8_t, N> fixed() {
        std::array<std::uint8_t, N> a{};
        if (!need(N)) return a;
        for (std::size_t i = 0; i < N; ++i) a[i] = in_[pos_ + i];
        pos_ += N;
        return a;
    }

    // Records an error (the first one wins).
    void fail(CodecError e);
    bool ok() const { return !error_.has_value(); }
    const std::optional<DecodeError>& error() const { return error_; }
    std::size_t position() const { return pos_; }
    std::size_t remaining() const { return in_.size() - pos_; }
    // Fails with TrailingBytes unless everything was consumed.
    void expectEnd();

private:
    bool need(std::size_t n);
    ByteSpan in_;
    std::size_t pos_ = 0;
    std::optional<DecodeError> error_;
};

bool isValidUtf8(std::string_view s);

// Types that take part in the codec provide
//   void encodeTo(Writer&) const;
//   static T decodeFrom(Reader&);   // may return a partial value when the reader failed
// In a class: its fields listed once (consensus/core/Fields.h) and the two
// codec functions AGORA_CODEC_FIELDS(T) defines from that list.
#define AGORA_CODEC_FIELDS_DECL(T)        \
    template <typename IO, typename Self> \
    static void fields(IO& io, Self& m);  \
    void encodeTo(Writer& w) const;       \
    static T decodeFrom(Reader& r)

template <typename T>
Bytes encode(const T& value) {
    Writer w;
    value.encodeTo(w);
    return w.take();
}

template <typename T>
Expected<T, DecodeError> decode(ByteSpan bytes) {
    Reader r(bytes);
    T value = T::decodeFrom(r);
    r.expectEnd();
    if (!r.ok()) return Unexpected(*r.error());
    return value;
}

}  // namespace agora
