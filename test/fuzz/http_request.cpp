// Fuzz target: raw bytes on the HTTP port. Beast's request parser (with the
// server's body limit) then the steps HttpSession::handle takes: split the
// target, parse the query string, lower-case header names, and route through
// a Router holding the gateway's route patterns (node/gateway/Gateway.cpp).
// Properties: dispatch never throws and answers 200/404/405/500 only; a
// matched route's parameters are non-empty; 404 exactly when no pattern
// matches the path (allowedMethods empty).
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "node/http/HttpRequest.h"
#include "node/http/QueryParams.h"
#include "node/http/Router.h"
#include "test/fuzz/FuzzCheck.h"

namespace {
using namespace agora;
using namespace agora::node;
namespace http = boost::beast::http;

const Router& gatewayRouter() {
    static const Router router = [] {
        Router r;
        auto ok = [](const HttpRequest& req) {
            for (const auto& [name, value] : req.params) fuzz::require(!value.empty(), "empty route parameter");
            return HttpResponse::json(200, nlohmann::json::object());
        };
        for (const char* p : {"/health",
                              "/v1/status",
                              "/v1/blocks",
                              "/v1/blocks/latest",
                              "/v1/blocks/{height}",
                              "/v1/blocks/hash/{hash}",
                              "/v1/txs/{hash}",
                              "/v1/accounts/{address}",
                              "/v1/providers",
                              "/v1/providers/{address}",
                              "/v1/jobs",
                              "/v1/jobs/{id}",
                              "/v1/jobs/{id}/bids",
                              "/v1/leases/{id}",
                              "/v1/leases",
                              "/v1/escrow/{lease}",
                              "/v1/reputation/{address}",
                              "/v1/validators",
                              "/v1/evidence",
                              "/v1/events/search",
                              "/v1/params",
                              "/explorer/{file}"})
            r.add("GET", p, ok);
        r.add("POST", "/v1/txs/{hash}/throws",
              [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("x"); });
        r.addAsync("POST", "/v1/txs", [](const HttpRequest&, std::shared_ptr<HttpAsyncReply>) {});
        r.addStatic("/", "<html></html>", "text/html");
        r.addStatic("/openapi.json", "{}", "application/json");
        return r;
    }();
    return router;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(64 * 1024);
    parser.eager(true);
    boost::beast::error_code ec;
    parser.put(boost::asio::buffer(data, size), ec);
    if (ec || !parser.is_done()) return 0;
    const auto& req = parser.get();

    HttpRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    const auto q = r.target.find('?');
    r.path = r.target.substr(0, q);
    for (const auto& field : req) {
        std::string name(field.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    r.body = req.body();
    if (q != std::string::npos) {
        auto parsed = QueryParams::parse(std::string_view(r.target).substr(q + 1));
        if (!parsed) return 0;
        r.query = std::move(parsed.value());
    }
    (void)r.header("origin");

    const Router& router = gatewayRouter();
    const auto result = router.dispatch(r);
    const unsigned status = result.response.status;
    fuzz::require(status == 200 || status == 404 || status == 405 || status == 500 || status == 400,
                  "router answered an unexpected status");
    if (status == 404) fuzz::require(result.route.empty(), "404 with a matched route");
    if (status == 200 && result.async == nullptr) fuzz::require(!result.route.empty(), "200 without a route");
    return 0;
}
