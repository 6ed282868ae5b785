#include "node/provider/TxSender.h"

#include "consensus/state/ResultCode.h"
#include "node/base/Logging.h"

namespace agora::provider {

namespace {
// An admitted tx is normally committed within a few blocks; after this many
// blocks without the committed nonce moving while ours is ahead, the mempool
// lost it and the nonces in between must be reused.
constexpr std::uint32_t kStuckBlocks = 10;
}  // namespace

TxSender::TxSender(ChainClient& chain, wallet::TxSigner signer, std::string chainId, Amount fee)
    : chain_(chain), signer_(std::move(signer)), address_(signer_.address()), chainId_(std::move(chainId)), fee_(fee) {}

Expected<std::uint64_t, std::string> TxSender::pendingNonce() {
    auto acc = chain_.account(address_);
    if (!acc) return Unexpected(acc.error());
    return acc->pending_nonce();
}

SendResult TxSender::send(std::vector<Msg> msgs, const std::string& memo) {
    std::lock_guard lock(mutex_);
    SendResult out;
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!haveNonce_) {
            auto n = pendingNonce();
            if (!n) {
                out.message = n.error();
                return out;
            }
            nonce_ = *n;
            haveNonce_ = true;
        }
        wallet::TxBuilder builder(chainId_);
        builder.nonce(nonce_).fee(fee_).memo(memo);
        for (const auto& m : msgs) builder.addMsg(m);
        auto stx = signer_.sign(builder);
        if (!stx) {
            out.message = stx.error().message();
            return out;
        }
        out.txHash = stx->hash().toHex();
        auto r = chain_.broadcast(stx->bytes());
        if (!r) {
            // Unknown whether it reached the mempool: ask again next time.
            haveNonce_ = false;
            out.message = r.error();
            return out;
        }
        out.code = r->code;
        out.message = r->message;
        if (r->code == 0) {
            ++nonce_;
            out.admitted = true;
            return out;
        }
        if (r->code != static_cast<std::uint32_t>(state::ResultCode::BadNonce)) return out;
        ++refused_;
        haveNonce_ = false;  // re-read and try once more
    }
    return out;
}

void TxSender::onBlock() {
    auto acc = chain_.account(address_);
    if (!acc) return;
    std::lock_guard lock(mutex_);
    if (!haveNonce_) return;
    if (acc->pending_nonce() > nonce_) {
        nonce_ = acc->pending_nonce();
        stuckBlocks_ = 0;
    } else if (nonce_ > acc->pending_nonce()) {
        // Ours is ahead of everything the node holds: a tx we sent is gone.
        if (acc->next_nonce() == lastCommitted_ && ++stuckBlocks_ >= kStuckBlocks) {
            node::moduleLog("provider")
                ->warn("nonce {} ahead of the node's {} for {} blocks; resyncing", nonce_, acc->pending_nonce(),
                       stuckBlocks_);
            nonce_ = acc->pending_nonce();
            stuckBlocks_ = 0;
        }
    } else {
        stuckBlocks_ = 0;
    }
    lastCommitted_ = acc->next_nonce();
}

std::uint64_t TxSender::refusedNonces() const {
    std::lock_guard lock(mutex_);
    return refused_;
}

}  // namespace agora::provider
