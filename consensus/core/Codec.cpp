#include "consensus/core/Codec.h"

namespace agora {

std::string_view errorName(CodecError e) {
    switch (e) {
        case CodecError::Truncated: return "truncated";
        case CodecError::TrailingBytes: return "trailing bytes";
        case CodecError::NonMinimalVarint: return "non-minimal varint";
        case CodecError::VarintOverflow: return "varint overflow";
        case CodecError::LengthTooLong: return "length too long";
        case CodecError::LengthTooShort: return "length too short";
        case CodecError::UnknownTag: return "unknown tag";
        case CodecError::InvalidBool: return "invalid bool";
        case CodecError::InvalidEnum: return "invalid enum value";
        case CodecError::InvalidUtf8: return "invalid utf-8";
        case CodecError::NotSorted: return "list not strictly sorted";
        case CodecError::InvalidValue: return "invalid value";
    }
    return "unknown codec error";
}

std::string DecodeError::message() const {
    return std::string(errorName(code)) + " at byte " + std::to_string(offset);
}

void Writer::u16(std::uint16_t v) {
    u8(static_cast<std::uint8_t>(v >> 8));
    u8(static_cast<std::uint8_t>(v));
}

void Writer::u32(std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) u8(static_cast<std::uint8_t>(v >> s));
}

void Writer::u64(std::uint64_t v) {
    for (int s = 56; s >= 0; s -= 8) u8(static_cast<std::uint8_t>(v >> s));
}

void Writer::varint(std::uint64_t v) {
    while (v >= 0x80) {
        u8(static_cast<std::uint8_t>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    u8(static_cast<std::uint8_t>(v));
}

void Writer::bytes(ByteSpan b) {
    varint(b.size());
    raw(b);
}

void Writer::string(std::string_view s) { bytes(asBytes(s)); }

void Writer::raw(ByteSpan b) { out_.insert(out_.end(), b.begin(), b.end()); }

void Reader::fail(CodecError e) {
    if (!error_) error_ = DecodeError{e, pos_};
}

bool Reader::need(std::size_t n) {
    if (error_) return false;
    if (in_.size() - pos_ < n) {
        fail(CodecError::Truncated);
        return false;
    }
    return true;
}

std::uint8_t Reader::u8() {
    if (!need(1)) return 0;
    return in_[pos_++];
}

std::uint16_t Reader::u16() {
    if (!need(2)) return 0;
    std::uint16_t v = static_cast<std::uint16_t>((in_[pos_] << 8) | in_[pos_ + 1]);
    pos_ += 2;
    return v;
}

std::uint32_t Reader::u32() {
    if (!need(4)) return 0;
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | in_[pos_ + i];
    pos_ += 4;
    return v;
}

std::uint64_t Reader::u64() {
    if (!need(8)) return 0;
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | in_[pos_ + i];
    pos_ += 8;
    return v;
}

bool Reader::boolean() {
    const std::size_t at = pos_;
    const std::uint8_t b = u8();
    if (ok() && b > 1) {
        pos_ = at;
        fail(CodecError::InvalidBool);
        return false;
    }
    return b == 1;
}

std::uint64_t Reader::varint() {
    const std::size_t start = pos_;
    std::uint64_t v = 0;
    for (int i = 0; i < 10; ++i) {
        if (!need(1)) return 0;
        const std::uint8_t b = in_[pos_++];
        const std::uint64_t part = b & 0x7f;
        if (i == 9 && (b & 0xfe) != 0) {  // the 10th byte may only carry bit 63
            pos_ = start;
            fail(CodecError::VarintOverflow);
            return 0;
        }
        v |= part << (7 * i);
        if ((b & 0x80) == 0) {
            if (i > 0 && b == 0) {  // a final zero byte adds nothing: non-minimal
                pos_ = start;
                fail(CodecError::NonMinimalVarint);
                return 0;
            }
            return v;
        }
    }
    pos_ = start;
    fail(CodecError::VarintOverflow);
    return 0;
}

std::size_t Reader::count(std::size_t maxCount, std::size_t minCount) {
    const std::size_t at = pos_;
    const std::uint64_t n = varint();
    if (!ok()) return 0;
    if (n > maxCount) {
        pos_ = at;
        fail(CodecError::LengthTooLong);
        return 0;
    }
    if (n < minCount) {
        pos_ = at;
        fail(CodecError::LengthTooShort);
        return 0;
    }
    return static_cast<std::size_t>(n);
}

Bytes Reader::bytes(std::size_t maxLen, std::size_t minLen) {
    const std::size_t n = count(maxLen, minLen);
    if (!need(n)) return {};
    Bytes out(in_.begin() + static_cast<std::ptrdiff_t>(pos_), in_.begin() + static_cast<std::ptrdiff_t>(pos_ + n));
    pos_ += n;
    return out;
}

std::string Reader::string(std::size_t maxLen, std::size_t minLen) {
    const std::size_t at = pos_;
    Bytes b = bytes(maxLen, minLen);
    if (!ok()) return {};
    std::string s(b.begin(), b.end());
    if (!isValidUtf8(s)) {
        pos_ = at;
        fail(CodecError::InvalidUtf8);
        return {};
    }
    return s;
}

void Reader::expectEnd() {
    if (ok() && pos_ != in_.size()) fail(CodecError::TrailingBytes);
}

bool isValidUtf8(std::string_view s) {
    std::size_t i = 0;
    const std::size_t n = s.size();
    while (i < n) {
        const auto c = static_cast<std::uint8_t>(s[i]);
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            len = 2;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > n) return false;
        for (std::size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<std::uint8_t>(s[i + k]);
            if ((cc & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3f);
        }
        // Reject overlong forms, surrogates and values beyond U+10FFFF.
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return false;
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += len;
    }
    return true;
}

}  // namespace agora
