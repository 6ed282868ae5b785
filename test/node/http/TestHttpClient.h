#pragma once
// Loopback clients for the HTTP server tests: a Beast HTTP/1.1 connection
// whose every operation has a deadline, and a WebSocket client that reads on
// its own thread into an inbox the test waits on (condition + deadline).

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

namespace agora::node::test {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr auto kDeadline = std::chrono::seconds(10);

struct TestResponse {
    unsigned status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  // lower-case names
    nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
    std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
    bool hasHeader(const std::string& name) const { return headers.count(name) != 0; }
};

// One TCP connection; operations fail (nullopt / false) instead of hanging past kDeadline.
class TestHttpConnection {
public:
    explicit TestHttpConnection(std::uint16_t port) : stream_(ioc_) {
        bool done = false;
        stream_.expires_after(kDeadline);
        stream_.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), [&](beast::error_code ec) {
            connected_ = !ec;
            done = true;
        });
        ioc_.run();
        (void)done;
    }
    bool connected() const { return connected_; }

    // Sends raw bytes (for malformed or partial requests).
    bool sendRaw(const std::string& bytes) {
        bool ok = false;
        ioc_.restart();
        stream_.expires_after(kDeadline);
        net::async_write(stream_, net::buffer(bytes), [&](beast::error_code ec, std::size_t) { ok = !ec; });
        ioc_.run();
        return ok;
    }

    std::optional<TestResponse> request(const std::string& method, const std::string& target,
                                        const std::string& body = {},
                                        const std::map<std::string, std::string>& headers = {}, bool keepAlive = true) {
        http::request<http::string_body> req;
        req.method_string(method);
        req.target(target);
        req.version(11);
        req.set(http::field::host, "127.0.0.1");
        for (const auto& [k, v] : headers) req.set(k, v);
        req.body() = body;
        req.keep_alive(keepAlive);
        req.prepare_payload();
        bool ok = false;
        ioc_.restart();
        stream_.expires_after(kDeadline);
        http::async_write(stream_, req, [&](beast::error_code ec, std::size_t) { ok = !ec; });
        ioc_.run();
        // A server that answers before reading all of a big body may reset the
        // write: still try to read what it answered.
        (void)ok;
        return readResponse();
    }

    std::optional<TestResponse> readResponse() {
        http::response_parser<http::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        bool ok = false;
        ioc_.restart();
        stream_.expires_after(kDeadline);
        http::async_read(stream_, buffer_, parser, [&](beast::error_code ec, std::size_t) { ok = !ec; });
        ioc_.run();
        if (!ok) return std::nullopt;
        auto& res = parser.get();
        TestResponse out;
        out.status = res.result_int();
        out.body = res.body();
        for (const auto& f : res) {
            std::string name(f.name_string());
            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            out.headers[name] = std::string(f.value());
        }
        return out;
    }

    // True when the server closes the connection (EOF or reset) before the deadline.
    bool waitClosedByServer(std::chrono::milliseconds deadline = kDeadline) {
        beast::error_code result;
        char byte = 0;
        ioc_.restart();
        stream_.expires_after(deadline);
        stream_.async_read_some(net::buffer(&byte, 1), [&](beast::error_code ec, std::size_t) { result = ec; });
        ioc_.run();
        return result && result != beast::error::timeout;
    }

private:
    net::io_context ioc_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    bool connected_ = false;
};

inline std::optional<TestResponse> httpRequest(std::uint16_t port, const std::string& method, const std::string& target,
                                               const std::string& body = {},
                                               const std::map<std::string, std::string>& headers = {}) {
    TestHttpConnection c(port);
    if (!c.connected()) return std::nullopt;
    return c.request(method, target, body, headers, false);
}

// Polls cond until true or the deadline; for conditions observed on the
// server side that have no notification to wait on.
inline bool eventually(const std::function<bool()>& cond, std::chrono::milliseconds deadline = kDeadline) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (!cond()) {
        if (std::chrono::steady_clock::now() > end) return false;
        std::this_thread::yield();
        std::this_thread::sleep_for(std::chrono::milliseconds(2));  // poll interval, not a synchronisation
    }
    return true;
}

class TestWsClient {
public:
    // receiveBuffer > 0 shrinks SO_RCVBUF (a client that will not read fills up fast).
    TestWsClient(std::uint16_t port, const std::string& path, bool startReading = true, int receiveBuffer = 0)
        : ws_(ioc_) {
        auto& sock = beast::get_lowest_layer(ws_).socket();
        sock.open(tcp::v4());
        if (receiveBuffer > 0) sock.set_option(net::socket_base::receive_buffer_size(receiveBuffer));
        beast::error_code ec;
        sock.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
        if (ec) return;
        ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
            if (kind == websocket::frame_type::ping) {
                std::lock_guard lock(mu_);
                ++pings_;
                cv_.notify_all();
            }
        });
        ws_.handshake("127.0.0.1", path, ec);
        if (ec) {
            handshakeError_ = ec;
            return;
        }
        open_ = true;
        if (startReading) this->startReading();
    }
    ~TestWsClient() {
        if (thread_.joinable()) {
            net::post(ioc_, [this] {
                beast::error_code ec;
                beast::get_lowest_layer(ws_).socket().close(ec);
            });
            thread_.join();
        }
    }
    bool open() const { return open_; }
    beast::error_code handshakeError() const { return handshakeError_; }

    void startReading() {
        doRead();
        thread_ = std::thread([this] { ioc_.run(); });
    }

    // Sends one text frame (from the I/O thread when it runs).
    bool send(const nlohmann::json& msg) {
        const std::string text = msg.dump();
        if (!thread_.joinable()) {
            beast::error_code ec;
            ws_.text(true);
            ws_.write(net::buffer(text), ec);
            return !ec;
        }
        std::mutex m;
        std::condition_variable cv;
        bool done = false;
        bool ok = false;
        net::post(ioc_, [&] {
            beast::error_code ec;
            ws_.text(true);
            ws_.write(net::buffer(text), ec);
            std::lock_guard lock(m);
            ok = !ec;
            done = true;
            cv.notify_all();
        });
        std::unique_lock lock(m);
        cv.wait_for(lock, kDeadline, [&] { return done; });
        return ok;
    }

    // Waits until pred(messages) holds; false at the deadline.
    bool waitFor(const std::function<bool(const std::vector<nlohmann::json>&)>& pred,
                 std::chrono::milliseconds deadline = kDeadline) {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, deadline, [&] { return pred(inbox_); });
    }
    bool waitClosed(std::chrono::milliseconds deadline = kDeadline) {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, deadline, [&] { return closed_; });
    }
    bool waitPings(int n, std::chrono::milliseconds deadline = kDeadline) {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, deadline, [&] { return pings_ >= n; });
    }
    std::vector<nlohmann::json> messages() {
        std::lock_guard lock(mu_);
        return inbox_;
    }
    // Messages of type "event" for one subscription.
    std::vector<nlohmann::json> events(const std::string& subscription) {
        std::lock_guard lock(mu_);
        return eventsOf(inbox_, subscription);
    }
    static std::vector<nlohmann::json> eventsOf(const std::vector<nlohmann::json>& msgs, const std::string& sub) {
        std::vector<nlohmann::json> out;
        for (const auto& m : msgs) {
            if (m.value("type", "") == "event" && m.value("subscription", "") == sub) out.push_back(m["event"]);
        }
        return out;
    }
    static bool hasType(const std::vector<nlohmann::json>& msgs, const std::string& type, const std::string& id) {
        for (const auto& m : msgs) {
            if (m.value("type", "") == type && m.contains("id") && m["id"] == id) return true;
        }
        return false;
    }
    websocket::close_reason closeReason() {
        std::lock_guard lock(mu_);
        return reason_;
    }
    beast::error_code closeError() {
        std::lock_guard lock(mu_);
        return closeError_;
    }

private:
    void doRead() {
        ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
            std::lock_guard lock(mu_);
            if (ec) {
                closed_ = true;
                closeError_ = ec;
                reason_ = ws_.reason();
                cv_.notify_all();
                return;
            }
            inbox_.push_back(nlohmann::json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false));
            buffer_.consume(buffer_.size());
            cv_.notify_all();
            doRead();
        });
    }

    net::io_context ioc_;
    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
    std::thread thread_;
    bool open_ = false;
    beast::error_code handshakeError_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<nlohmann::json> inbox_;
    bool closed_ = false;
    beast::error_code closeError_;
    websocket::close_reason reason_;
    int pings_ = 0;
};

}  // namespace agora::node::test
