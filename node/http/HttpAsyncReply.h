#pragma once
// The reply side of an asynchronous route (Router::addAsync): a handler that
// must wait for something (a tx to commit) returns at once and answers later
// through this object from any thread, so no I/O thread is held while it
// waits. The connection stays open (no further request is read) until the
// reply is sent, the timeout answers it, or the server stops.

#include <chrono>
#include <functional>
#include <memory>

#include "node/http/HttpRequest.h"
#include "node/http/HttpResponse.h"

namespace agora::node {

class HttpAsyncReply {
public:
    virtual ~HttpAsyncReply() = default;
    // Any thread. The first of send() and the timeout wins; later calls are
    // ignored, as are calls once the server is stopping.
    virtual void send(HttpResponse response) = 0;
    // Call before the handler returns: without a send() within `after`,
    // onTimeout runs on the connection's strand and its response is sent.
    virtual void setTimeout(std::chrono::milliseconds after, std::function<HttpResponse()> onTimeout) = 0;
};

using AsyncHttpHandler = std::function<void(const HttpRequest&, std::shared_ptr<HttpAsyncReply>)>;

}  // namespace agora::node
