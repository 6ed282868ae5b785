#include "node/http/HttpResponse.h"

namespace agora::node {

HttpResponse HttpResponse::json(unsigned status, const nlohmann::json& body) {
    HttpResponse r;
    r.status = status;
    // Replace invalid UTF-8 rather than throw: a handler echoing user input must not turn into a 500.
    r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return r;
}

HttpResponse HttpResponse::error(unsigned status, const nlohmann::json& code, const std::string& message) {
    return json(status, nlohmann::json{{"code", code}, {"message", message}});
}

HttpResponse HttpResponse::error(unsigned status, HttpErrorCode code, const std::string& message) {
    return error(status, nlohmann::json(std::string(toString(code))), message);
}

HttpResponse HttpResponse::bytes(unsigned status, std::string body, std::string contentType) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.contentType = std::move(contentType);
    return r;
}

}  // namespace agora::node
