#include <catch2/catch.hpp>
#include <set>

#include "consensus/core/Messages.h"
#include "support/SampleMessages.h"

using namespace agora;

namespace {
Bytes encodeOne(const Msg& m) {
    Writer w;
    encodeMsg(w, m);
    return w.take();
}

Expected<Msg, DecodeError> decodeOne(ByteSpan b) {
    Reader r(b);
    Msg m = decodeMsg(r);
    r.expectEnd();
    if (!r.ok()) return Unexpected(*r.error());
    return m;
}
}  // namespace

TEST_CASE("every message type round-trips through the canonical codec", "[messages]") {
    const auto msgs = test::sampleMessages();
    std::set<std::size_t> kinds;
    for (const auto& m : msgs) {
        INFO(msgTypeName(msgType(m)));
        kinds.insert(m.index());
        const Bytes b = encodeOne(m);
        REQUIRE(b[0] == static_cast<std::uint8_t>(msgType(m)));
        auto back = decodeOne(b);
        REQUIRE(back.hasValue());
        REQUIRE(*back == m);
        REQUIRE(encodeOne(*back) == b);  // re-encoding is byte-identical
    }
    REQUIRE(kinds.size() == std::variant_size_v<Msg>);  // the sample covers every type
}

TEST_CASE("every truncation of every message is rejected", "[messages]") {
    for (const auto& m : test::sampleMessages()) {
        const Bytes b = encodeOne(m);
        for (std::size_t len = 0; len < b.size(); ++len) {
            INFO(msgTypeName(msgType(m)) << " truncated to " << len);
            auto r = decodeOne(ByteSpan(b.data(), len));
            REQUIRE_FALSE(r.hasValue());
            // MsgUnjail has no fields: dropping its tag leaves nothing, which is truncation too.
            REQUIRE(r.error().code == CodecError::Truncated);
        }
    }
}

TEST_CASE("a trailing byte after any message is rejected", "[messages]") {
    for (const auto& m : test::sampleMessages()) {
        Bytes b = encodeOne(m);
        b.push_back(0);
        auto r = decodeOne(b);
        REQUIRE_FALSE(r.hasValue());
        REQUIRE(r.error().code == CodecError::TrailingBytes);
    }
}

TEST_CASE("unknown message tags are rejected", "[messages]") {
    for (int tag : {0x00, 0x02, 0x15, 0x25, 0x36, 0x46, 0xff}) {
        Bytes b{static_cast<std::uint8_t>(tag)};
        auto r = decodeOne(b);
        REQUIRE_FALSE(r.hasValue());
        REQUIRE(r.error().code == CodecError::UnknownTag);
    }
}

TEST_CASE("attribute lists must be strictly sorted by key", "[messages]") {
    MsgProviderRegister reg{"h", {{"tier", "gold"}, {"region", "eu"}}, {}, Amount(1)};
    auto unsorted = decodeOne(encodeOne(reg));
    REQUIRE(unsorted.error().code == CodecError::NotSorted);

    reg.attributes = {{"region", "eu"}, {"region", "us"}};
    auto duplicate = decodeOne(encodeOne(reg));
    REQUIRE(duplicate.error().code == CodecError::NotSorted);

    reg.attributes = {{"region", "eu"}, {"tier", "gold"}};
    REQUIRE(decodeOne(encodeOne(reg)).hasValue());
}

TEST_CASE("gpu lists in resources and prices must be strictly sorted by model", "[messages]") {
    MsgJobCreate job;
    job.resources.gpus = {{"b", 1}, {"a", 1}};
    REQUIRE(decodeOne(encodeOne(job)).error().code == CodecError::NotSorted);
    MsgOfferSet offer;
    offer.prices.gpus = {{"x", Amount(1)}, {"x", Amount(2)}};
    REQUIRE(decodeOne(encodeOne(offer)).error().code == CodecError::NotSorted);
}

TEST_CASE("lease close reasons outside the enum are rejected", "[messages]") {
    Bytes b = encodeOne(MsgLeaseClose{1, CloseReason::Completed});
    b.back() = kCloseReasonMax + 1;
    REQUIRE(decodeOne(b).error().code == CodecError::InvalidEnum);
}

TEST_CASE("empty strings are rejected where a value is required", "[messages]") {
    MsgCreateValidator v{PublicKey{}, "", 0, Amount(1)};
    REQUIRE(decodeOne(encodeOne(v)).error().code == CodecError::LengthTooShort);
    MsgProviderRegister reg{"h", {{"", "x"}}, {}, Amount(1)};
    REQUIRE(decodeOne(encodeOne(reg)).error().code == CodecError::LengthTooShort);
}

TEST_CASE("over-long strings and lists are rejected", "[messages]") {
    MsgProviderRegister reg{std::string(257, 'h'), {}, {}, Amount(1)};
    REQUIRE(decodeOne(encodeOne(reg)).error().code == CodecError::LengthTooLong);
    reg.hostUri = "h";
    for (int i = 0; i < 33; ++i) reg.attributes.push_back({"k" + std::to_string(100 + i), "v"});
    REQUIRE(decodeOne(encodeOne(reg)).error().code == CodecError::LengthTooLong);
}

TEST_CASE("message type names round-trip", "[messages]") {
    for (const auto& m : test::sampleMessages()) {
        const auto name = msgTypeName(msgType(m));
        REQUIRE(msgTypeFromName(name) == msgType(m));
    }
    REQUIRE_FALSE(msgTypeFromName("nope").has_value());
}
