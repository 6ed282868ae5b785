#pragma once
// What a node thread does when its body throws (issue 17): it logs one
// critical line naming the thread and the error, then tells the process's
// failure handlers, which stop the node cleanly with a non-zero exit (Node
// registers one while it runs: Node::wait() returns the error, agorad shuts
// down in order and exits 2). An exception escaping a std::thread would call
// std::terminate: the node would die without a word, mid-write.
//
// With no handler registered (a binary without a Node, e.g. agora-provider
// before it installs its own) the process flushes the logs and exits with
// kThreadFailureExitCode.

#include <cstdint>
#include <exception>
#include <functional>
#include <string>
#include <string_view>

namespace agora::node {

inline constexpr int kThreadFailureExitCode = 70;  // EX_SOFTWARE

using ThreadFailureHandler = std::function<void(const std::string& message)>;

// Registers a handler; returns the id that removes it. Thread-safe.
std::uint64_t addThreadFailureHandler(ThreadFailureHandler handler);
void removeThreadFailureHandler(std::uint64_t id);

// Logs "thread NAME failed: WHAT; stopping the node" and calls every handler
// (or exits, see above). Never throws.
void reportThreadFailure(std::string_view thread, std::string_view what) noexcept;

// Runs body; an exception it lets out is reported instead of terminating.
template <typename Body>
void runGuarded(std::string_view thread, Body&& body) noexcept {
    try {
        body();
    } catch (const std::exception& e) {
        reportThreadFailure(thread, e.what());
    } catch (...) {
        reportThreadFailure(thread, "unknown exception");
    }
}

}  // namespace agora::node
