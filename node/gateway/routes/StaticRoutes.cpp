#include <map>
#include <memory>

#include "node/gateway/EmbeddedFiles.h"
#include "node/gateway/routes/Routes.h"

namespace agora::node::routes {

namespace {

std::string contentTypeOf(std::string_view name) {
    const auto dot = name.rfind('.');
    const std::string_view ext = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
    if (ext == "html") return "text/html; charset=utf-8";
    if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
    if (ext == "css") return "text/css; charset=utf-8";
    if (ext == "json") return "application/json";
    if (ext == "svg") return "image/svg+xml";
    return "application/octet-stream";
}

std::string textOf(const EmbeddedFile& f) {
    return std::string(reinterpret_cast<const char*>(f.bytes.data()), f.bytes.size());
}

}  // namespace

void addStaticRoutes(Router& r) {
    std::map<std::string, std::pair<std::string, std::string>, std::less<>> files;  // name -> (bytes, type)
    for (const auto& f : explorerFiles())
        files.emplace(std::string(f.name), std::pair(textOf(f), contentTypeOf(f.name)));
    if (auto index = files.find("index.html"); index != files.end())
        r.addStatic("/", index->second.first, index->second.second);
    // One pattern rather than a route per file: a bounded metrics label, one OpenAPI path.
    auto shared = std::make_shared<const decltype(files)>(std::move(files));
    r.add("GET", "/explorer/{file}", [shared](const HttpRequest& req) {
        const auto it = shared->find(req.param("file").value_or(""));
        if (it == shared->end())
            return HttpResponse::error(404, nlohmann::json("not_found"),
                                       "no explorer file " + req.param("file").value_or(""));
        return HttpResponse::bytes(200, it->second.first, it->second.second);
    });
    for (const auto& f : openApiFiles()) r.addStatic("/openapi.json", textOf(f), "application/json");
}

}  // namespace agora::node::routes
