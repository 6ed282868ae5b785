#pragma once
// Internal to the HTTP server: one WebSocket event client on its own strand.
// Reads subscribe/unsubscribe messages (protocol in docs/http.md), filters
// hub events per subscription and writes them through a bounded queue; on
// overflow the client is closed with policy_error "slow consumer".

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include "node/http/ServerState.h"

namespace agora::node::detail {

class WsSession : public ServerSession, public WsSubscriber, public std::enable_shared_from_this<WsSession> {
public:
    WsSession(std::shared_ptr<ServerState> state, boost::beast::tcp_stream stream, ConnectionSlot slot);
    ~WsSession() override;
    void run(boost::beast::http::request<boost::beast::http::string_body> upgrade);
    void shutdown() override;
    void serverStopped() override;
    void deliver(std::shared_ptr<const PublishedEvent> event) override;

private:
    struct Subscription {
        WsEventFilter filter;
        bool resumed = false;
        std::uint64_t throughHeight = 0;  // live events at or below it were replayed
    };
    struct Outgoing {
        std::shared_ptr<const std::string> text;
        bool counted = true;  // counts against ws_queue_max (replayed events do not)
    };

    void onAccept(boost::beast::error_code ec);
    void doRead();
    void onRead(boost::beast::error_code ec);
    void onMessage(const std::string& text);
    void subscribe(const nlohmann::json& msg);
    void unsubscribe(const nlohmann::json& msg);
    void onEvent(const std::shared_ptr<const PublishedEvent>& event);
    void sendControl(const nlohmann::json& msg);
    void sendError(const nlohmann::json& id, const std::string& code, const std::string& message);
    // False when the queue is full (the client was closed as a slow consumer).
    bool enqueue(std::shared_ptr<const std::string> text, bool counted);
    void doWrite();
    void onWrite(boost::beast::error_code ec);
    void startClose(boost::beast::websocket::close_code code, const std::string& reason);
    void detachFromHub();

    std::shared_ptr<ServerState> state_;
    boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
    ConnectionSlot slot_;
    boost::asio::steady_timer closeTimer_;
    boost::beast::http::request<boost::beast::http::string_body> upgrade_;
    boost::beast::flat_buffer readBuffer_;
    std::uint64_t trackId_ = 0;
    std::uint64_t hubId_ = 0;
    bool attached_ = false;
    bool writing_ = false;
    bool closing_ = false;
    std::deque<Outgoing> queue_;
    std::size_t countedQueued_ = 0;
    std::map<std::string, Subscription> subscriptions_;
};

}  // namespace agora::node::detail
