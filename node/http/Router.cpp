#include "node/http/Router.h"

#include <exception>
#include <memory>
#include <stdexcept>

#include <spdlog/spdlog.h>

namespace agora::node {

std::optional<std::vector<std::string>> Router::splitPath(const std::string& path) {
    if (path.empty() || path[0] != '/') return std::nullopt;
    std::vector<std::string> segs;
    std::size_t pos = 1;
    while (true) {
        std::size_t slash = path.find('/', pos);
        const std::string raw = path.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
        // Decode per segment so an escaped '/' (%2F) stays inside its parameter.
        auto decoded = percentDecode(raw, false);
        if (!decoded) return std::nullopt;
        segs.push_back(std::move(*decoded));
        if (slash == std::string::npos) break;
        pos = slash + 1;
    }
    return segs;
}

void Router::add(const std::string& method, const std::string& pattern, HttpHandler handler) {
    if (!handler) throw std::invalid_argument("router: empty handler");
    addHandler(method, pattern, Handler{std::move(handler), {}});
}

void Router::addAsync(const std::string& method, const std::string& pattern, AsyncHttpHandler handler) {
    if (!handler) throw std::invalid_argument("router: empty handler");
    addHandler(method, pattern, Handler{{}, std::move(handler)});
}

void Router::addHandler(const std::string& method, const std::string& pattern, Handler handler) {
    if (method.empty()) throw std::invalid_argument("router: empty method");
    if (pattern.empty() || pattern[0] != '/')
        throw std::invalid_argument("router: pattern must start with '/': " + pattern);
    std::vector<Segment> segments;
    std::size_t pos = 1;
    while (true) {
        const std::size_t slash = pattern.find('/', pos);
        const std::string s = pattern.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
        if (s.size() >= 2 && s.front() == '{' && s.back() == '}') {
            segments.push_back({true, s.substr(1, s.size() - 2)});
        } else if (s.find_first_of("{}") != std::string::npos) {
            throw std::invalid_argument("router: malformed segment in " + pattern);
        } else {
            segments.push_back({false, s});
        }
        if (slash == std::string::npos) break;
        pos = slash + 1;
    }
    for (auto& r : routes_) {
        if (r.pattern == pattern) {
            if (!r.handlers.emplace(method, std::move(handler)).second) {
                throw std::invalid_argument("router: duplicate route " + method + " " + pattern);
            }
            return;
        }
    }
    Route r;
    r.pattern = pattern;
    r.segments = std::move(segments);
    r.handlers.emplace(method, std::move(handler));
    routes_.push_back(std::move(r));
}

void Router::addStatic(const std::string& path, std::string bytes, std::string contentType) {
    // Shared so each request copies nothing but a pointer until the response is built.
    auto content = std::make_shared<const std::string>(std::move(bytes));
    add("GET", path, [content, type = std::move(contentType)](const HttpRequest&) {
        return HttpResponse::bytes(200, *content, type);
    });
}

bool Router::matches(const Route& r, const std::vector<std::string>& segs) {
    if (r.segments.size() != segs.size()) return false;
    for (std::size_t i = 0; i < segs.size(); ++i) {
        const Segment& s = r.segments[i];
        if (s.isParam ? segs[i].empty() : s.text != segs[i]) return false;
    }
    return true;
}

const Router::Route* Router::find(const std::vector<std::string>& segs) const {
    const Route* best = nullptr;
    for (const auto& r : routes_) {
        if (!matches(r, segs)) continue;
        if (best == nullptr) {
            best = &r;
            continue;
        }
        for (std::size_t i = 0; i < segs.size(); ++i) {
            if (r.segments[i].isParam != best->segments[i].isParam) {
                if (!r.segments[i].isParam) best = &r;
                break;
            }
        }
    }
    return best;
}

std::vector<std::string> Router::allowedMethods(const std::string& path) const {
    std::vector<std::string> out;
    auto segs = splitPath(path);
    if (!segs) return out;
    if (const Route* r = find(*segs)) {
        for (const auto& [m, h] : r->handlers) out.push_back(m);
    }
    return out;
}

Router::Result Router::dispatch(HttpRequest& req) const {
    auto segs = splitPath(req.path);
    if (!segs) return {HttpResponse::error(400, HttpErrorCode::BadRequest, "malformed path"), ""};
    const Route* r = find(*segs);
    if (r == nullptr) return {HttpResponse::error(404, HttpErrorCode::NotFound, "no route for " + req.path), ""};
    auto h = r->handlers.find(req.method);
    if (h == r->handlers.end()) {
        std::string allow;
        for (const auto& [m, handler] : r->handlers) allow += (allow.empty() ? "" : ", ") + m;
        HttpResponse resp =
            HttpResponse::error(405, HttpErrorCode::MethodNotAllowed, req.method + " not allowed on " + r->pattern);
        resp.headers.emplace_back("Allow", allow);
        return {std::move(resp), r->pattern};
    }
    req.params.clear();
    for (std::size_t i = 0; i < segs->size(); ++i) {
        if (r->segments[i].isParam) req.params[r->segments[i].text] = (*segs)[i];
    }
    if (h->second.async) return {HttpResponse{}, r->pattern, &h->second.async};
    try {
        return {h->second.sync(req), r->pattern};
    } catch (const std::exception& e) {
        spdlog::error("http: handler {} {} threw: {}", req.method, r->pattern, e.what());
    } catch (...) {
        spdlog::error("http: handler {} {} threw a non-exception", req.method, r->pattern);
    }
    return {HttpResponse::error(500, HttpErrorCode::Internal, "internal error"), r->pattern};
}

}  // namespace agora::node
