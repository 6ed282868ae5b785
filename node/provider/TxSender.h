#pragma once
// Signs and broadcasts the agent's txs with a locally tracked nonce, so a
// stream of bids and reports never waits for a block between txs, and
// recovers from a refused nonce (another signer used the key, a tx dropped
// from the mempool) by re-reading the node's pending nonce: no restart, the
// failure mode Akash operators know as "account sequence mismatch".

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "consensus/core/Messages.h"
#include "node/provider/ChainClient.h"
#include "wallet/TxSigner.h"

namespace agora::provider {

struct SendResult {
    bool admitted = false;
    std::uint32_t code = 0;
    std::string message;
    std::string txHash;
};

class TxSender {
public:
    TxSender(ChainClient& chain, wallet::TxSigner signer, std::string chainId, Amount fee);

    const Address& address() const { return address_; }
    const std::string& chainId() const { return chainId_; }

    SendResult send(std::vector<Msg> msgs, const std::string& memo = {});
    // Called once per block: adopts the node's pending nonce when it is ahead
    // of ours, and falls back to it when ours has been ahead without progress
    // for a while (an admitted tx was evicted).
    void onBlock();

    std::uint64_t refusedNonces() const;

private:
    Expected<std::uint64_t, std::string> pendingNonce();

    ChainClient& chain_;
    wallet::TxSigner signer_;
    Address address_;
    std::string chainId_;
    Amount fee_;
    mutable std::mutex mutex_;
    std::uint64_t nonce_ = 0;
    bool haveNonce_ = false;
    std::uint64_t lastCommitted_ = 0;
    std::uint32_t stuckBlocks_ = 0;
    std::uint64_t refused_ = 0;
};

}  // namespace agora::provider
