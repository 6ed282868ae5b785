#pragma once
// Maps method + path pattern to a handler. Patterns are '/'-separated
// segments, each a literal or a `{name}` parameter matching one non-empty
// segment (percent-decoded into HttpRequest::params). Where two patterns
// match, the one with a literal at the first differing segment wins
// (`/v1/jobs/open` beats `/v1/jobs/{id}`).
//
// Register every route before the server starts: dispatch() is const and
// called concurrently from the server's threads without locking.
//
// dispatch() never throws: unknown path -> 404, known path with another
// method -> 405 with Allow, a throwing handler -> 500; all errors are JSON
// {"code", "message"}.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "node/http/HttpAsyncReply.h"
#include "node/http/HttpRequest.h"
#include "node/http/HttpResponse.h"

namespace agora::node {

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class Router {
public:
    // Throws std::invalid_argument on a malformed pattern or a duplicate
    // method + pattern (programming errors).
    void add(const std::string& method, const std::string& pattern, HttpHandler handler);
    // A handler that answers later through an HttpAsyncReply (same pattern rules).
    void addAsync(const std::string& method, const std::string& pattern, AsyncHttpHandler handler);
    // Serves fixed bytes (e.g. the embedded explorer page) on GET.
    void addStatic(const std::string& path, std::string bytes, std::string contentType);

    struct Result {
        HttpResponse response;
        std::string route;  // matched pattern, or "" when none: a bounded metrics label
        // Set when the matched handler is asynchronous: the caller runs it
        // (response is then unused). Points into the router.
        const AsyncHttpHandler* async = nullptr;
    };
    // Routes req (fills req.params). Never throws.
    Result dispatch(HttpRequest& req) const;
    // Methods registered for a path ("" if the path matches no pattern).
    std::vector<std::string> allowedMethods(const std::string& path) const;

private:
    struct Segment {
        bool isParam = false;
        std::string text;  // literal text or parameter name
    };
    struct Handler {
        HttpHandler sync;
        AsyncHttpHandler async;  // set instead of sync for addAsync routes
    };
    struct Route {
        std::string pattern;
        std::vector<Segment> segments;
        std::map<std::string, Handler> handlers;  // by method
    };
    void addHandler(const std::string& method, const std::string& pattern, Handler handler);
    // Splits a raw path into decoded segments; nullopt on a bad escape.
    static std::optional<std::vector<std::string>> splitPath(const std::string& path);
    static bool matches(const Route& r, const std::vector<std::string>& segs);
    // Best matching route for the path segments, or nullptr.
    const Route* find(const std::vector<std::string>& segs) const;

    std::vector<Route> routes_;
};

}  // namespace agora::node
