#pragma once
// ClientSession: a client's keyring key unlocked once (one passphrase prompt
// for a whole `agora deploy`) and the node it talks to. Signs and commits the
// market txs of the client workflow and reads the records it needs.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "agora/tx/v1/tx.pb.h"
#include "consensus/core/Address.h"
#include "consensus/core/Amount.h"
#include "consensus/core/Messages.h"
#include "node/cli/CliContext.h"
#include "node/views/MarketViews.h"
#include "wallet/SecretKey.h"

namespace agora::node::cli {

class ClientSession {
public:
    // Unlocks `keyName` (CliError when missing or the passphrase is wrong)
    // and learns the chain id (--chain-id, else the node's).
    ClientSession(CliContext& ctx, const std::string& keyName, Amount fee);

    const Address& address() const { return address_; }
    const std::string& chainId() const { return chainId_; }
    const wallet::SecretKey& key() const { return key_; }

    // Signs msg with the account's pending nonce and broadcasts it in commit
    // mode. CliError with the tx's code and message when it fails in
    // execution; `what` names the step ("job_create").
    agora::tx::v1::BroadcastResponse commit(Msg msg, const std::string& what) const;
    // As commit(), but returns a failed result instead of throwing on a tx code.
    agora::tx::v1::BroadcastResponse commitAllowingFailure(Msg msg) const;

    // Records as the node serves them (typed, node/views); CliError when
    // absent or malformed.
    LeaseView lease(std::uint64_t id) const;
    JobView job(std::uint64_t id) const;
    ProviderView provider(const std::string& address) const;
    // The provider's score in ppm; nullopt when the node cannot say.
    std::optional<std::uint32_t> reputationScore(const std::string& provider) const;
    std::uint64_t latestHeight() const;

private:
    CliContext& ctx_;
    wallet::SecretKey key_;
    Address address_;
    std::string chainId_;
    Amount fee_;
};

// The value of attribute `key` of the first event of `type` in a committed tx's result.
std::optional<std::string> eventAttribute(const agora::tx::v1::BroadcastResponse& resp, const std::string& type,
                                          const std::string& key);

}  // namespace agora::node::cli
