#include "node/base/PeerAddress.h"

#include <catch2/catch.hpp>

#include <string>

using namespace agora::node;

namespace {
const std::string kId(40, 'a');

// The error text of a parse that must fail.
std::string peerError(const std::string& text) {
    auto a = PeerAddress::parse(text);
    REQUIRE_FALSE(a);
    return a.error();
}
std::string hostPortError(const std::string& text, PortRule rule = PortRule::Dial) {
    auto a = parseHostPort(text, rule);
    REQUIRE_FALSE(a);
    return a.error();
}
bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}
}  // namespace

TEST_CASE("a peer address NODEID@host:port parses into its node id and host:port", "[p2p][sync][base]") {
    auto a = PeerAddress::parse(kId + "@127.0.0.1:26656");
    REQUIRE(a);
    CHECK(a->nodeId == kId);
    CHECK(a->hostPort == "127.0.0.1:26656");
    CHECK(a->toString() == kId + "@127.0.0.1:26656");
    CHECK(PeerAddress::parse(kId + "@node-1.example.org:1"));
    CHECK(PeerAddress::parse(kId + "@localhost:65535"));
    CHECK(PeerAddress::parse(kId + "@[::1]:26656"));
    CHECK(PeerAddress::parse(kId + "@[2001:db8::7]:443"));
}

TEST_CASE("a peer address without '@' is refused saying so", "[p2p][sync][base]") {
    CHECK(contains(peerError("127.0.0.1:26656"), "no '@'"));
}

TEST_CASE("a peer address whose node id is not 40 lower-case hex characters is refused", "[p2p][sync][base]") {
    CHECK(contains(peerError("abc@127.0.0.1:1"), "not 40 hex characters"));
    CHECK(contains(peerError(std::string(40, 'g') + "@h:1"), "not lower-case hex"));
    CHECK(contains(peerError(std::string(40, 'A') + "@h:1"), "not lower-case hex"));
    CHECK(contains(peerError("@h:1"), "0 characters"));
}

TEST_CASE("a dial address needs a port from 1 to 65535", "[p2p][sync][base]") {
    CHECK(contains(peerError(kId + "@host"), "no ':port'"));
    CHECK(contains(peerError(kId + "@host:"), "empty port"));
    CHECK(contains(peerError(kId + "@host:0"), "port 0 cannot be dialled"));
    CHECK(contains(peerError(kId + "@host:65536"), "is not 1-65535"));
    CHECK(contains(peerError(kId + "@host:70000"), "is not 1-65535"));
    CHECK(contains(peerError(kId + "@host:port"), "is not 1-65535"));
    CHECK(contains(peerError(kId + "@host:-1"), "is not 1-65535"));
    CHECK(contains(peerError(kId + "@host:000001"), "is not 1-65535"));
    CHECK(contains(hostPortError("h:0"), "port 0"));
}

TEST_CASE("a listen address may name port 0 for any free port, never above 65535", "[base]") {
    CHECK(parseHostPort("127.0.0.1:0", PortRule::Listen));
    CHECK(parseHostPort("0.0.0.0:26656", PortRule::Listen));
    CHECK(parseHostPort("[::]:9090", PortRule::Listen));
    CHECK(contains(hostPortError("127.0.0.1:65536", PortRule::Listen), "is not 0-65535"));
}

TEST_CASE("a host is a DNS name, an IPv4 address or a bracketed IPv6 address", "[p2p][sync][base]") {
    CHECK(contains(peerError(kId + "@:5"), "empty host"));
    CHECK(contains(hostPortError(":5"), "empty host"));
    CHECK(contains(hostPortError("::1:5"), "must be in brackets"));
    CHECK(contains(hostPortError("[::1:5"), "closing ']'"));
    CHECK(contains(hostPortError("[not-v6]:5"), "not an IPv6 address"));
    CHECK(contains(hostPortError("256.1.1.1:5"), "not an IPv4 address"));
    CHECK(contains(hostPortError("1.2.3:5"), "not an IPv4 address"));
    CHECK(contains(hostPortError("bad_host:5"), "character '_'"));
    CHECK(contains(hostPortError("a..b:5"), "label of 0 characters"));
    CHECK(contains(hostPortError("-a.b:5"), "starts or ends with '-'"));
    CHECK(contains(hostPortError(std::string(64, 'x') + ":5"), "label of 64 characters"));
    CHECK(contains(hostPortError(std::string(254, 'x') + ":5"), "longer than 253"));
}

TEST_CASE("the host:ports of peer addresses are listed once each, in order", "[sync][base]") {
    const std::string other(40, 'b');
    const std::vector<PeerAddress> peers{{kId, "h:1"}, {other, "h:1"}, {other, "h:2"}};
    CHECK(hostPortsOf(peers) == std::vector<std::string>{"h:1", "h:2"});
}
