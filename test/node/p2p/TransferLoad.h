#pragma once
// Load for the p2p crash-loop test: one thread per funded test account sends
// bank transfers in BROADCAST_MODE_COMMIT to a random validator of a
// ValidatorNetwork while validators are killed and restarted.
//
// Each account signs its next tx only after the previous one is known to be
// committed, so its nonces are exact without asking a node: a call that
// fails (node killed, deadline) is retried with the SAME signed bytes on
// another node (the mempool answers a duplicate by waiting for the same
// commit), after asking that node whether the tx is already committed. A tx
// counts as committed only when a node said so (commit response or GetTx).

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <tuple>
#include <vector>

#include "ValidatorNetwork.h"
#include "agora/tx/v1/tx.grpc.pb.h"
#include "support/TestKeys.h"

namespace agora::test {

class TransferLoad {
public:
    struct Committed {
        Hash256 hash;
        std::size_t from = 0;  // account index
        std::size_t to = 0;
        std::uint64_t amount = 0;
        std::uint64_t nonce = 0;
        std::uint64_t height = 0;  // as the reporting node said
        std::uint32_t code = 0;
        std::uint64_t feeCharged = 0;
    };

    static constexpr std::uint64_t kFee = 2'000;

    // Accounts testKey(firstKey)..testKey(firstKey + count - 1), funded in the network's genesis.
    static std::vector<Address> addresses(std::uint8_t firstKey, std::size_t count) {
        std::vector<Address> out;
        for (std::size_t i = 0; i < count; ++i)
            out.push_back(Address::fromPublicKey(testKey(static_cast<std::uint8_t>(firstKey + i)).publicKey));
        return out;
    }

    TransferLoad(ValidatorNetwork& net, std::uint8_t firstKey, std::size_t count, std::uint64_t seed) : net_(net) {
        for (std::size_t i = 0; i < count; ++i) {
            accounts_.push_back(Account{testKey(static_cast<std::uint8_t>(firstKey + i)), {}, 0, {}});
            accounts_.back().rng.seed(seed * 131 + i);
        }
    }
    ~TransferLoad() { stop(); }
    TransferLoad(const TransferLoad&) = delete;
    TransferLoad& operator=(const TransferLoad&) = delete;

    void start() {
        for (std::size_t i = 0; i < accounts_.size(); ++i) threads_.emplace_back([this, i] { run(i); });
    }
    void stop() {
        stop_ = true;
        for (auto& t : threads_) t.join();
        threads_.clear();
    }

    std::size_t accounts() const { return accounts_.size(); }
    Address address(std::size_t i) const { return Address::fromPublicKey(accounts_[i].key.publicKey); }
    std::uint64_t failedCalls() const { return failedCalls_.load(); }
    std::vector<Committed> committed() const {
        std::lock_guard lock(mu_);
        return committed_;
    }
    // After stop(): a tx still unresolved when the load stopped is looked up
    // once more on node `i` (it may have committed since); found ones count.
    void resolvePending(std::size_t node) {
        for (std::size_t a = 0; a < accounts_.size(); ++a) {
            auto& acc = accounts_[a];
            if (!acc.pending) continue;
            if (auto c = lookup(node, *acc.pending)) record(a, *c);
            acc.pending.reset();
        }
    }

    // TxService.GetTx on node i: (height, code, fee) when committed there.
    std::optional<std::tuple<std::uint64_t, std::uint32_t, std::uint64_t>> getTx(std::size_t i, const Hash256& hash) {
        auto stub = tx::v1::TxService::NewStub(ValidatorNetwork::freshChannel(net_.member(i).grpcPort));
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
        tx::v1::GetTxRequest req;
        req.set_hash(std::string(hash.bytes().begin(), hash.bytes().end()));
        tx::v1::GetTxResponse resp;
        if (!stub->GetTx(&ctx, req, &resp).ok() || resp.height() == 0) return std::nullopt;
        return std::make_tuple(resp.height(), resp.result().code(), resp.result().fee_charged());
    }

private:
    struct Pending {
        Committed tx;  // height/code/fee unknown yet
        std::string bytes;
    };
    struct Account {
        TestKey key;
        std::mt19937_64 rng;
        std::uint64_t nextNonce = 0;  // fresh genesis account
        std::optional<Pending> pending;
    };

    std::optional<Committed> lookup(std::size_t node, const Pending& p) {
        auto found = getTx(node, p.tx.hash);
        if (!found) return std::nullopt;
        Committed c = p.tx;
        std::tie(c.height, c.code, c.feeCharged) = *found;
        return c;
    }

    void record(std::size_t a, const Committed& c) {
        std::lock_guard lock(mu_);
        committed_.push_back(c);
        accounts_[a].nextNonce = c.nonce + 1;
    }

    void run(std::size_t a) {
        auto& acc = accounts_[a];
        while (!stop_) {
            if (!acc.pending) {
                Pending p;
                p.tx.from = a;
                p.tx.to = (a + 1) % accounts_.size();
                p.tx.amount = 1'000 + acc.rng() % 1'000;
                p.tx.nonce = acc.nextNonce;
                Tx tx;
                tx.chainId = ValidatorNetwork::kChainId;
                tx.nonce = p.tx.nonce;
                tx.fee = Amount(kFee);
                tx.msgs.push_back(MsgSend{address(p.tx.to), Amount(p.tx.amount)});
                const Bytes raw = signTx(acc.key, tx).bytes();
                p.bytes.assign(raw.begin(), raw.end());
                p.tx.hash = sha256(raw);
                acc.pending = std::move(p);
            }
            const std::size_t node = acc.rng() % net_.size();
            auto stub = tx::v1::TxService::NewStub(ValidatorNetwork::freshChannel(net_.member(node).grpcPort));
            grpc::ClientContext ctx;
            ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
            tx::v1::BroadcastRequest req;
            req.set_tx(acc.pending->bytes);
            req.set_mode(tx::v1::BROADCAST_MODE_COMMIT);
            tx::v1::BroadcastResponse resp;
            const auto status = stub->Broadcast(&ctx, req, &resp);
            if (status.ok() && resp.height() > 0) {
                Committed c = acc.pending->tx;
                c.height = resp.height();
                c.code = resp.code();
                c.feeCharged = resp.result().fee_charged();
                record(a, c);
                acc.pending.reset();
                continue;
            }
            ++failedCalls_;
            // Killed node, deadline, or refused because it already committed
            // (nonce used): committed if some node says so, else retry as is.
            if (auto c = lookup(node, *acc.pending)) {
                record(a, *c);
                acc.pending.reset();
            }
        }
    }

    ValidatorNetwork& net_;
    std::vector<Account> accounts_;
    std::vector<std::thread> threads_;
    std::atomic<bool> stop_{false};
    std::atomic<std::uint64_t> failedCalls_{0};
    mutable std::mutex mu_;
    std::vector<Committed> committed_;
};

}  // namespace agora::test
