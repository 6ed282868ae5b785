// AddressBook alone: what peer exchange may teach a node and what it answers.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "node/p2p/AddressBook.h"

using namespace agora::node;

namespace {
// A distinct valid node id per n.
std::string idOf(std::size_t n) {
    std::string hex = "0123456789abcdef";
    std::string id(40, '0');
    for (std::size_t i = 0; i < 8; ++i) id[39 - i] = hex[(n >> (4 * i)) & 0xf];
    return id;
}
PeerAddress addressOf(std::size_t n, const std::string& host = "10.0.0.1") {
    return PeerAddress{idOf(n), host + ":" + std::to_string(26656 + n % 1000)};
}
const std::string kSelf(40, 'f');
}  // namespace

TEST_CASE("the address book keeps one address per node id, the newest", "[p2p][pex]") {
    AddressBook book(kSelf);
    REQUIRE(book.learn(PeerAddress{idOf(1), "10.0.0.1:1"}));
    REQUIRE(book.learn(PeerAddress{idOf(1), "10.0.0.2:2"}));
    REQUIRE(book.size() == 1);
    CHECK(book.entries().front().hostPort == "10.0.0.2:2");
}

TEST_CASE("the address book refuses our own id and undialable wildcard hosts", "[p2p][pex]") {
    AddressBook book(kSelf);
    CHECK_FALSE(book.learn(PeerAddress{kSelf, "10.0.0.1:1"}));
    CHECK_FALSE(book.learn(PeerAddress{idOf(1), "0.0.0.0:26656"}));
    CHECK_FALSE(book.learn(PeerAddress{idOf(2), "[::]:26656"}));
    CHECK(book.size() == 0);
    CHECK_FALSE(AddressBook::dialable(":26656"));
    CHECK(AddressBook::dialable("node.example:26656"));
}

TEST_CASE("a full address book learns no new id but still updates a known one", "[p2p][pex]") {
    AddressBook book(kSelf, 3);
    for (std::size_t n = 0; n < 3; ++n) REQUIRE(book.learn(addressOf(n)));
    CHECK_FALSE(book.learn(addressOf(3)));
    CHECK(book.size() == 3);
    CHECK(book.learn(PeerAddress{idOf(0), "10.9.9.9:9"}));
    CHECK(book.size() == 3);
}

TEST_CASE("the default address book holds at most 256 ids", "[p2p][pex]") {
    AddressBook book(kSelf);
    for (std::size_t n = 0; n < 300; ++n) book.learn(addressOf(n));
    CHECK(book.size() == AddressBook::kCapacity);
    CHECK(AddressBook::kCapacity == 256);
}

TEST_CASE("a peer exchange list longer than 32 or with a bad address is invalid data", "[p2p][pex]") {
    AddressBook book(kSelf);
    std::vector<std::string> tooMany;
    for (std::size_t n = 0; n < AddressBook::kExchangeMax + 1; ++n) tooMany.push_back(addressOf(n).toString());
    CHECK(book.learnExchange(tooMany) == std::optional<std::string>("oversized peer list"));
    CHECK(book.size() == 0);

    const std::vector<std::string> withBad{addressOf(1).toString(), idOf(2) + "@10.0.0.1:0", addressOf(3).toString()};
    const auto offence = book.learnExchange(withBad);
    REQUIRE(offence);
    CHECK(offence->find("bad peer address") == 0);
    CHECK(offence->find("port 0") != std::string::npos);
    // The entries before the bad one were learnt, none after it.
    REQUIRE(book.size() == 1);
    CHECK(book.entries().front().nodeId == idOf(1));
}

TEST_CASE("a valid peer exchange list is learnt, wildcard hosts and our own id left out", "[p2p][pex]") {
    AddressBook book(kSelf);
    const std::vector<std::string> list{addressOf(1).toString(), addressOf(2, "0.0.0.0").toString(),
                                        PeerAddress{kSelf, "10.0.0.1:5"}.toString(), addressOf(1).toString()};
    CHECK_FALSE(book.learnExchange(list));
    REQUIRE(book.size() == 1);
    CHECK(book.entries().front() == addressOf(1));
}

TEST_CASE("a peer exchange answer holds at most 32 addresses and none of the excluded ids", "[p2p][pex]") {
    AddressBook book(kSelf);
    for (std::size_t n = 0; n < 40; ++n) book.learn(addressOf(n));
    const auto all = book.exchange({});
    CHECK(all.size() == AddressBook::kExchangeMax);
    const auto some = book.exchange({idOf(0), idOf(1)});
    CHECK(some.size() == AddressBook::kExchangeMax);
    for (const auto& text : some) {
        CHECK(text.rfind(idOf(0), 0) != 0);
        CHECK(text.rfind(idOf(1), 0) != 0);
        CHECK(PeerAddress::parse(text));
    }
}

TEST_CASE("a forgotten id leaves the address book", "[p2p][pex]") {
    AddressBook book(kSelf);
    book.learn(addressOf(1));
    book.forget(idOf(1));
    CHECK(book.size() == 0);
    CHECK(book.exchange({}).empty());
}
