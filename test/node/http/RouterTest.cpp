// Router and query-string parsing without sockets.
#include <catch2/catch.hpp>
#include <stdexcept>

#include "node/http/Router.h"

using namespace agora::node;

TEST_CASE("query strings are percent-decoded with '+' as space and repeated keys kept in order", "[http]") {
    auto q = QueryParams::parse("attr=a&attr=b%20c&x=1+2&empty=&flag&&enc%3Dkey=v%26w");
    REQUIRE(q.hasValue());
    CHECK(q->all("attr") == std::vector<std::string>{"a", "b c"});
    CHECK(q->first("x") == "1 2");
    CHECK(q->first("empty") == "");
    CHECK(q->first("flag") == "");
    CHECK(q->first("enc=key") == "v&w");
    CHECK_FALSE(q->first("missing").has_value());
    CHECK(q->items().size() == 6);
    CHECK_FALSE(QueryParams::parse("a=%").hasValue());
    CHECK_FALSE(QueryParams::parse("a=%4").hasValue());
    CHECK_FALSE(QueryParams::parse("a=%g1").hasValue());
    CHECK(QueryParams::parse("").hasValue());
}

TEST_CASE("router rejects malformed and duplicate patterns", "[http]") {
    Router r;
    auto h = [](const HttpRequest&) { return HttpResponse::json(200, {}); };
    r.add("GET", "/a/{id}", h);
    CHECK_THROWS_AS(r.add("GET", "/a/{id}", h), std::invalid_argument);
    CHECK_THROWS_AS(r.add("GET", "no-slash", h), std::invalid_argument);
    CHECK_THROWS_AS(r.add("GET", "/a/{x", h), std::invalid_argument);
    CHECK_NOTHROW(r.add("POST", "/a/{id}", h));
    CHECK(r.allowedMethods("/a/1") == std::vector<std::string>{"GET", "POST"});
    CHECK(r.allowedMethods("/b").empty());
}

TEST_CASE("router dispatch maps non-standard exceptions to 500 and leaves the route label bounded", "[http]") {
    Router r;
    r.add("GET", "/t/{id}", [](const HttpRequest&) -> HttpResponse { throw 42; });
    HttpRequest req;
    req.method = "GET";
    req.path = "/t/x";
    auto res = r.dispatch(req);
    CHECK(res.response.status == 500);
    CHECK(res.route == "/t/{id}");
    req.path = "/nope";
    res = r.dispatch(req);
    CHECK(res.response.status == 404);
    CHECK(res.route.empty());
}
