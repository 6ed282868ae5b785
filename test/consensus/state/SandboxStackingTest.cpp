#include <catch2/catch.hpp>

#include "consensus/state/Sandbox.h"

using namespace agora;
using namespace agora::state;

TEST_CASE("a sandbox built from a sandbox stacks on it instead of copying it", "[sandbox]") {
    MemoryState base;
    Sandbox outer(base);
    outer.put(asBytes("a"), asBytes("1"));
    {
        Sandbox inner(outer);
        REQUIRE(inner.get(asBytes("a")) == Bytes{'1'});
        inner.put(asBytes("b"), asBytes("2"));
        inner.commit();
    }
    REQUIRE(outer.get(asBytes("b")) == Bytes{'2'});
    REQUIRE_FALSE(base.get(asBytes("b")).has_value());
    outer.commit();
    REQUIRE(base.get(asBytes("b")) == Bytes{'2'});
}

TEST_CASE("sandbox scans merge overlay writes and deletions with the parent in key order", "[sandbox]") {
    MemoryState base;
    for (const char* k : {"p/1", "p/3", "p/5", "q/1"}) base.put(asBytes(k), asBytes("base"));
    Sandbox sb(base);
    sb.put(asBytes("p/2"), asBytes("new"));
    sb.erase(asBytes("p/3"));
    sb.put(asBytes("p/5"), asBytes("changed"));
    std::vector<std::string> seen;
    sb.scan(asBytes("p/"), {}, [&](ByteSpan k, ByteSpan v) {
        seen.push_back(std::string(k.begin(), k.end()) + "=" + std::string(v.begin(), v.end()));
        return true;
    });
    REQUIRE(seen == std::vector<std::string>{"p/1=base", "p/2=new", "p/5=changed"});
    seen.clear();
    sb.scan(asBytes("p/"), asBytes("p/2"), [&](ByteSpan k, ByteSpan) {
        seen.emplace_back(k.begin(), k.end());
        return seen.size() < 2;
    });
    REQUIRE(seen == std::vector<std::string>{"p/2", "p/5"});
}
