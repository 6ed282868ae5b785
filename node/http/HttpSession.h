#pragma once
// Internal to the HTTP server: one TCP connection serving HTTP/1.1 requests
// on its own strand, until it closes or upgrades to a WebSocket (WsSession).
// A session created in reject mode answers its one request with 429.

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "node/http/ServerState.h"

namespace agora::node::detail {

class PendingReply;

class HttpSession : public ServerSession, public std::enable_shared_from_this<HttpSession> {
public:
    HttpSession(std::shared_ptr<ServerState> state, boost::asio::ip::tcp::socket socket, ConnectionSlot slot,
                bool reject);
    ~HttpSession() override;
    void run();
    void shutdown() override;

private:
    using Response = boost::beast::http::response<boost::beast::http::string_body>;

    void doRead();
    void onRead(boost::beast::error_code ec);
    void handle();
    // Runs an asynchronous route; the connection waits for its reply.
    void startAsync(const AsyncHttpHandler& handler, const HttpRequest& req, std::string route, std::string methodLabel,
                    bool closeAfter, std::vector<std::pair<std::string, std::string>> headers);
    friend class PendingReply;
    // Builds the HTTP response from ours and sends it; closeAfter ends the connection.
    void send(HttpResponse response, const std::string& route, const std::string& methodLabel, bool closeAfter);
    void onWrite(bool close, boost::beast::error_code ec);
    // Half-close, then drain what the client still sends (so our response is
    // not lost to a reset caused by unread input), then close.
    void lingerClose();
    void drain();

    std::shared_ptr<ServerState> state_;
    boost::beast::tcp_stream stream_;
    ConnectionSlot slot_;
    bool reject_;
    boost::asio::steady_timer asyncTimer_;  // timeout of the pending asynchronous reply
    std::uint64_t trackId_ = 0;
    std::string remote_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    std::shared_ptr<Response> response_;
    std::chrono::steady_clock::time_point started_;
    std::array<char, 4096> drain_{};
    std::shared_ptr<PendingReply> pending_;  // the unanswered asynchronous request, strand only
};

}  // namespace agora::node::detail
