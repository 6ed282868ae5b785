// The fields visitor (consensus/core/Fields.h): one list of fields, applied
// by the Encoder and the Decoder, with the decode-only bounds and checks.
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "consensus/core/Fields.h"

using namespace agora;

namespace {

struct Item {
    std::string name;
    std::uint32_t size = 0;
    bool operator==(const Item&) const = default;
    AGORA_CODEC_FIELDS_DECL(Item);
};

struct ItemName {
    const std::string& operator()(const Item& i) const { return i.name; }
};

enum class Colour : std::uint8_t { Red = 1, Green = 2 };

// Every kind of field once; `sorted` switches the certificate-style check.
struct Record {
    std::uint64_t id = 0;
    Colour colour = Colour::Red;
    std::optional<std::string> label;
    std::vector<Item> items;       // sorted by name, checked after the list
    std::vector<Item> eachSorted;  // sorted by name, checked as each arrives
    std::optional<std::vector<Item>> maybeItems;
    std::vector<Bytes> blobs;  // each 1..4 bytes
    Amount amount;
    bool operator==(const Record&) const = default;
    AGORA_CODEC_FIELDS_DECL(Record);
};

}  // namespace

AGORA_CODEC_FIELDS(Item)
template <typename IO, typename Self>
void Item::fields(IO& io, Self& m) {
    io(codec::limited(m.name, 8, 1), m.size);
}

AGORA_CODEC_FIELDS(Record)
template <typename IO, typename Self>
void Record::fields(IO& io, Self& m) {
    io(codec::tag(0x07), m.id);
    io.check(m.id != 0, CodecError::InvalidValue);
    io(codec::oneOf(m.colour, 1, 2), codec::limited(m.label, 5), codec::sortedList(m.items, 4, ItemName{}),
       codec::sortedList(m.eachSorted, 4, ItemName{}, codec::SortCheck::EachElement),
       codec::sortedList(m.maybeItems, 4, ItemName{}), codec::list(m.blobs, {3, 0}, {4, 1}), m.amount);
}

namespace {

Record sample() {
    Record r;
    r.id = 9;
    r.colour = Colour::Green;
    r.label = "hi";
    r.items = {{"a", 1}, {"b", 2}};
    r.eachSorted = {{"x", 3}};
    r.maybeItems = std::vector<Item>{{"m", 4}};
    r.blobs = {{0xaa}, {0xbb, 0xcc}};
    r.amount = Amount(500);
    return r;
}

Bytes hex(const char* h) {
    return fromHex(h).value();
}

CodecError decodeError(const Bytes& bytes) {
    auto r = decode<Record>(bytes);
    REQUIRE_FALSE(r);
    return r.error().code;
}

}  // namespace

TEST_CASE("fields: one list writes the canonical layout and reads it back", "[codec][fields]") {
    const Bytes bytes = encode(sample());
    REQUIRE(toHex(bytes) ==
            "07"                // tag
            "0000000000000009"  // id
            "02"                // colour
            "01"
            "02"
            "6869"  // optional label "hi"
            "02"
            "0161"
            "00000001"
            "0162"
            "00000002"  // items
            "01"
            "0178"
            "00000003"  // eachSorted
            "01"
            "01"
            "016d"
            "00000004"  // optional list
            "02"
            "01aa"
            "02bbcc"              // blobs
            "00000000000001f4");  // amount
    auto back = decode<Record>(bytes);
    REQUIRE(back);
    REQUIRE(*back == sample());
}

TEST_CASE("fields: absent optionals are one zero byte each way", "[codec][fields]") {
    Record r = sample();
    r.label.reset();
    r.maybeItems.reset();
    const Bytes bytes = encode(r);
    auto back = decode<Record>(bytes);
    REQUIRE(back);
    REQUIRE(*back == r);
    REQUIRE(bytes.size() == encode(sample()).size() - 3 - 7);
}

TEST_CASE("fields: checks bind the decoder only, with their codes", "[codec][fields]") {
    Record zero = sample();
    zero.id = 0;
    // The encoder writes what it is given; the decoder refuses it.
    REQUIRE(decodeError(encode(zero)) == CodecError::InvalidValue);

    Bytes wrongTag = encode(sample());
    wrongTag[0] = 0x08;
    REQUIRE(decodeError(wrongTag) == CodecError::UnknownTag);

    Bytes badEnum = encode(sample());
    badEnum[9] = 0x03;
    REQUIRE(decodeError(badEnum) == CodecError::InvalidEnum);

    Record longLabel = sample();
    longLabel.label = "toolong";
    REQUIRE(decodeError(encode(longLabel)) == CodecError::LengthTooLong);

    Record emptyBlob = sample();
    emptyBlob.blobs = {{}};
    REQUIRE(decodeError(encode(emptyBlob)) == CodecError::LengthTooShort);

    Record unsorted = sample();
    unsorted.items = {{"b", 1}, {"a", 2}};
    REQUIRE(decodeError(encode(unsorted)) == CodecError::NotSorted);

    Record repeated = sample();
    repeated.maybeItems = std::vector<Item>{{"m", 1}, {"m", 2}};
    REQUIRE(decodeError(encode(repeated)) == CodecError::NotSorted);
}

TEST_CASE("fields: a list checked per element reports disorder before a later error", "[codec][fields]") {
    // Two lists, each unsorted and then cut off inside its third element:
    // checked after the list the cut is the first error, checked per element
    // the disorder is (as CommitCertificate's decoder always did).
    const Bytes cutList =
        hex("07"
            "0000000000000009"
            "01"
            "00"
            "03"
            "0162000000010161000000020163");
    Reader afterList(cutList);
    Record a;
    codec::Decoder first(afterList);
    first(codec::tag(0x07), a.id, codec::oneOf(a.colour, 1, 2), codec::limited(a.label, 5),
          codec::sortedList(a.items, 4, ItemName{}));
    REQUIRE(afterList.error()->code == CodecError::Truncated);

    const Bytes cutCertificate =
        hex("03"
            "0162000000010161000000020163");
    Reader eachElement(cutCertificate);
    std::vector<Item> items;
    codec::Decoder second(eachElement);
    second(codec::sortedList(items, 4, ItemName{}, codec::SortCheck::EachElement));
    REQUIRE(eachElement.error()->code == CodecError::NotSorted);
    REQUIRE(eachElement.error()->offset == 1 + 6 + 6);  // right after the second element
}
