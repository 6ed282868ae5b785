#pragma once
// AddressBook: the peer addresses this node has learnt (from handshakes and
// peer exchange) and would dial, by node id, and the two sides of peer
// exchange (docs/p2p.md, "Peers"): what a pex_addresses message may teach us
// and what we answer a pex_request with.
//
// Rules: our own id and undialable hosts (a wildcard bind address such as
// 0.0.0.0) are never learnt; at most `capacity` ids (default 256), a known id
// takes its newest address; an exchange carries at most 32 addresses, each a
// valid NODEID@host:port (node/base/PeerAddress.h), else it is invalid data.
//
// Thread-safe; its lock is a leaf (nothing is called while it is held).

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "node/base/PeerAddress.h"

namespace agora::node {

class AddressBook {
public:
    static constexpr std::size_t kCapacity = 256;
    static constexpr std::size_t kExchangeMax = 32;

    explicit AddressBook(std::string selfId, std::size_t capacity = kCapacity)
        : selfId_(std::move(selfId)), capacity_(capacity) {}

    // Whether others can dial this host:port (a wildcard bind address is not).
    static bool dialable(const std::string& hostPort);

    // Keeps the address unless it is ours, undialable, or a new id while the
    // book is full; true when kept.
    bool learn(const PeerAddress& address);
    // Peer exchange input: learns each address in order; the offence when
    // the list is invalid data (too long, or an entry that does not parse:
    // the entries before it are kept).
    std::optional<std::string> learnExchange(const std::vector<std::string>& texts);
    // Peer exchange output: up to kExchangeMax addresses, none of `excluded`.
    std::vector<std::string> exchange(const std::set<std::string>& excluded) const;

    void forget(const std::string& nodeId);
    std::vector<PeerAddress> entries() const;
    std::size_t size() const;

private:
    const std::string selfId_;
    const std::size_t capacity_;
    mutable std::mutex mu_;
    std::map<std::string, PeerAddress> book_;  // by node id
};

}  // namespace agora::node
