#include "node/base/ThreadFailure.h"

#include <cstdlib>
#include <map>
#include <mutex>

#include "node/base/Logging.h"

namespace agora::node {

namespace {
struct Registry {
    std::mutex mu;
    std::uint64_t next = 1;
    std::map<std::uint64_t, ThreadFailureHandler> handlers;
};
Registry& registry() {
    static Registry r;
    return r;
}
}  // namespace

std::uint64_t addThreadFailureHandler(ThreadFailureHandler handler) {
    auto& r = registry();
    std::lock_guard lock(r.mu);
    const std::uint64_t id = r.next++;
    r.handlers.emplace(id, std::move(handler));
    return id;
}

void removeThreadFailureHandler(std::uint64_t id) {
    auto& r = registry();
    std::lock_guard lock(r.mu);
    r.handlers.erase(id);
}

void reportThreadFailure(std::string_view thread, std::string_view what) noexcept {
    const std::string message = "thread " + std::string(thread) + " failed: " + std::string(what);
    try {
        moduleLog("node")->critical("{}; stopping the node", message);
    } catch (...) {
    }
    std::map<std::uint64_t, ThreadFailureHandler> handlers;
    {
        auto& r = registry();
        std::lock_guard lock(r.mu);
        handlers = r.handlers;
    }
    if (handlers.empty()) {
        try {
            spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& l) { l->flush(); });
        } catch (...) {
        }
        std::_Exit(kThreadFailureExitCode);
    }
    for (auto& [id, handler] : handlers) {
        try {
            handler(message);
        } catch (...) {
            // A handler that throws must not take the others down with it.
        }
    }
}

}  // namespace agora::node
