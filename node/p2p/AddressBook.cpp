#include "node/p2p/AddressBook.h"

namespace agora::node {

bool AddressBook::dialable(const std::string& hostPort) {
    const auto host = hostPort.substr(0, hostPort.rfind(':'));
    return !(host.empty() || host == "0.0.0.0" || host == "::" || host == "[::]");
}

bool AddressBook::learn(const PeerAddress& address) {
    if (address.nodeId == selfId_) return false;
    if (!dialable(address.hostPort)) return false;
    std::lock_guard lock(mu_);
    if (book_.size() >= capacity_ && book_.count(address.nodeId) == 0) return false;
    book_[address.nodeId] = address;
    return true;
}

std::optional<std::string> AddressBook::learnExchange(const std::vector<std::string>& texts) {
    if (texts.size() > kExchangeMax) return std::string("oversized peer list");
    for (const auto& text : texts) {
        auto address = PeerAddress::parse(text);
        if (!address) return "bad peer address: " + address.error();
        learn(*address);
    }
    return std::nullopt;
}

std::vector<std::string> AddressBook::exchange(const std::set<std::string>& excluded) const {
    std::vector<std::string> out;
    std::lock_guard lock(mu_);
    for (const auto& [id, address] : book_) {
        if (out.size() >= kExchangeMax) break;
        if (excluded.count(id) != 0) continue;
        out.push_back(address.toString());
    }
    return out;
}

void AddressBook::forget(const std::string& nodeId) {
    std::lock_guard lock(mu_);
    book_.erase(nodeId);
}

std::vector<PeerAddress> AddressBook::entries() const {
    std::lock_guard lock(mu_);
    std::vector<PeerAddress> out;
    out.reserve(book_.size());
    for (const auto& [id, address] : book_) out.push_back(address);
    return out;
}

std::size_t AddressBook::size() const {
    std::lock_guard lock(mu_);
    return book_.size();
}

}  // namespace agora::node
