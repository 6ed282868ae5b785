#pragma once
// BlockedPeers: the node ids whose traffic is dropped (fault injection for
// tests, docs/p2p.md "Fault injection"). Empty on every production node: only
// P2pAdminService (served when p2p.allow_fault_injection = true) fills it.
//
// Thread-safe; its lock is a leaf (nothing is called while it is held).

#include <mutex>
#include <set>
#include <string>

namespace agora::node {

class BlockedPeers {
public:
    void replace(std::set<std::string> nodeIds) {
        std::lock_guard lock(mu_);
        ids_ = std::move(nodeIds);
    }
    bool contains(const std::string& nodeId) const {
        std::lock_guard lock(mu_);
        return ids_.count(nodeId) != 0;
    }
    std::set<std::string> snapshot() const {
        std::lock_guard lock(mu_);
        return ids_;
    }

private:
    mutable std::mutex mu_;
    std::set<std::string> ids_;
};

}  // namespace agora::node
