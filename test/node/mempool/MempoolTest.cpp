#include <catch2/catch.hpp>
#include <map>

#include "node/mempool/Mempool.h"
#include "support/TestKeys.h"

using namespace agora;
using namespace agora::node;

namespace {

// The ledger as the mempool sees it: accounts in a map, a chain-id check and a flat minimum fee.
class LedgerFixture final : public MempoolLedgerView {
public:
    std::map<Address, Account> accounts;
    Amount minimumFee{100};
    CheckResult check(const SignedTx& tx) const override {
        if (tx.body.chainId != "test-chain") return {100, "wrong chain id"};
        return {};
    }
    Account account(const Address& a) const override {
        auto it = accounts.find(a);
        return it == accounts.end() ? Account{} : it->second;
    }
    Amount minFee(const Tx&) const override { return minimumFee; }
};

struct Fixture {
    LedgerFixture ledger;
    std::shared_ptr<SignatureCache> cache = std::make_shared<SignatureCache>();
    Mempool pool{MempoolLimits{100, 1 << 20, 8}, cache};

    test::TestKey fund(std::uint8_t n, std::uint64_t balance = 1'000'000, std::uint64_t nonce = 0) {
        auto k = test::testKey(n);
        ledger.accounts[Address::fromPublicKey(k.publicKey)] = {nonce, Amount(balance)};
        return k;
    }
};

Bytes txBytes(const test::TestKey& k, std::uint64_t nonce, std::uint64_t fee, std::string memo = "",
              std::string chain = "test-chain") {
    Tx tx;
    tx.chainId = std::move(chain);
    tx.nonce = nonce;
    tx.fee = Amount(fee);
    tx.memo = std::move(memo);
    tx.msgs = {MsgSend{Address{}, Amount(1)}};
    return test::signTx(k, tx).bytes();
}

std::uint16_t code(AdmitCode c) {
    return static_cast<std::uint16_t>(c);
}

}  // namespace

TEST_CASE("mempool admits a valid tx once and remembers its verified signature", "[mempool]") {
    Fixture f;
    auto alice = f.fund(1);
    const Bytes b = txBytes(alice, 0, 100);
    auto r = f.pool.add(b, f.ledger);
    REQUIRE(r.ok());
    REQUIRE(r.txHash == sha256(b));
    REQUIRE(f.cache->isVerified(r.txHash));
    REQUIRE(f.pool.add(b, f.ledger).code == code(AdmitCode::Duplicate));
    REQUIRE(f.pool.size() == 1);
    REQUIRE(f.pool.bytes() == b.size());
}

TEST_CASE("mempool rejects malformed bytes, bad signatures and ledger check failures with their codes", "[mempool]") {
    Fixture f;
    auto alice = f.fund(1);
    Bytes b = txBytes(alice, 0, 100);
    REQUIRE(f.pool.add(ByteSpan(b.data(), b.size() - 1), f.ledger).code == code(AdmitCode::Malformed));
    Bytes badSig = b;
    badSig.back() ^= 1;
    REQUIRE(f.pool.add(badSig, f.ledger).code == code(AdmitCode::BadSignature));
    auto wrongChain = f.pool.add(txBytes(alice, 0, 100, "", "other-chain"), f.ledger);
    REQUIRE(wrongChain.code == 100);
    REQUIRE(wrongChain.message == "wrong chain id");
    REQUIRE(f.pool.size() == 0);
}

TEST_CASE("mempool enforces nonce order per account without gaps", "[mempool]") {
    Fixture f;
    auto alice = f.fund(1, 1'000'000, 5);
    REQUIRE(f.pool.add(txBytes(alice, 4, 100), f.ledger).code == code(AdmitCode::NonceTooLow));
    REQUIRE(f.pool.add(txBytes(alice, 6, 100), f.ledger).code == code(AdmitCode::NonceGap));
    REQUIRE(f.pool.add(txBytes(alice, 5, 100), f.ledger).ok());
    REQUIRE(f.pool.add(txBytes(alice, 6, 100), f.ledger).ok());
    REQUIRE(f.pool.add(txBytes(alice, 8, 100), f.ledger).code == code(AdmitCode::NonceGap));
    REQUIRE(f.pool.pendingFor(Address::fromPublicKey(alice.publicKey)) == 2);
}

TEST_CASE("mempool rejects fees below the minimum and fees the balance cannot cover", "[mempool]") {
    Fixture f;
    auto alice = f.fund(1, 250);
    REQUIRE(f.pool.add(txBytes(alice, 0, 99), f.ledger).code == code(AdmitCode::FeeTooLow));
    REQUIRE(f.pool.add(txBytes(alice, 0, 150), f.ledger).ok());
    REQUIRE(f.pool.add(txBytes(alice, 1, 101), f.ledger).code == code(AdmitCode::InsufficientBalance));
    REQUIRE(f.pool.add(txBytes(alice, 1, 100), f.ledger).ok());
}

TEST_CASE("mempool replaces a pending nonce only for a fee at least 10% higher", "[mempool]") {
    Fixture f;
    auto alice = f.fund(1);
    auto first = f.pool.add(txBytes(alice, 0, 1000), f.ledger);
    REQUIRE(first.ok());
    REQUIRE(f.pool.add(txBytes(alice, 0, 1099, "b"), f.ledger).code == code(AdmitCode::ReplacementUnderpriced));
    auto second = f.pool.add(txBytes(alice, 0, 1100, "c"), f.ledger);
    REQUIRE(second.ok());
    REQUIRE_FALSE(f.pool.contains(first.txHash));
    REQUIRE(f.pool.contains(second.txHash));
    REQUIRE(f.pool.size() == 1);
}

TEST_CASE("mempool caps txs per account", "[mempool]") {
    Fixture f;
    auto alice = f.fund(1);
    for (std::uint64_t n = 0; n < 8; ++n) REQUIRE(f.pool.add(txBytes(alice, n, 100), f.ledger).ok());
    REQUIRE(f.pool.add(txBytes(alice, 8, 100), f.ledger).code == code(AdmitCode::AccountFull));
}

TEST_CASE("a full mempool evicts the lowest fee-rate tail for a better-paying tx and refuses otherwise", "[mempool]") {
    LedgerFixture ledger;
    auto cache = std::make_shared<SignatureCache>();
    Mempool pool(MempoolLimits{3, 1 << 20, 8}, cache);
    std::vector<test::TestKey> keys;
    for (std::uint8_t i = 1; i <= 5; ++i) {
        keys.push_back(test::testKey(i));
        ledger.accounts[Address::fromPublicKey(keys.back().publicKey)] = {0, Amount(1'000'000)};
    }
    auto low = pool.add(txBytes(keys[0], 0, 200), ledger);
    auto mid = pool.add(txBytes(keys[1], 0, 300), ledger);
    auto high = pool.add(txBytes(keys[2], 0, 400), ledger);
    REQUIRE((low.ok() && mid.ok() && high.ok()));
    // Same fee rate as the lowest: refused, nothing evicted.
    REQUIRE(pool.add(txBytes(keys[3], 0, 200), ledger).code == code(AdmitCode::MempoolFull));
    REQUIRE(pool.contains(low.txHash));
    // A better rate evicts exactly the lowest.
    auto better = pool.add(txBytes(keys[3], 0, 250), ledger);
    REQUIRE(better.ok());
    REQUIRE_FALSE(pool.contains(low.txHash));
    REQUIRE(pool.size() == 3);
    // An account's non-tail tx is never evicted (that would leave a gap).
    auto chained = pool.add(txBytes(keys[1], 1, 1000), ledger);  // keys[1] now has nonce 0 (300) then 1 (1000)
    REQUIRE(chained.ok());
    REQUIRE(pool.contains(mid.txHash));
    REQUIRE_FALSE(pool.contains(better.txHash));
}

TEST_CASE("reap orders by fee rate across accounts and by nonce within an account", "[mempool]") {
    Fixture f;
    auto alice = f.fund(1);
    auto bob = f.fund(2);
    auto a0 = f.pool.add(txBytes(alice, 0, 100), f.ledger);
    auto a1 = f.pool.add(txBytes(alice, 1, 900), f.ledger);
    auto b0 = f.pool.add(txBytes(bob, 0, 500), f.ledger);
    auto reaped = f.pool.reap(10, 1 << 20);
    REQUIRE(reaped.size() == 3);
    // bob's 500 beats alice's head (100); alice's 900 can only follow her nonce 0.
    REQUIRE(reaped[0]->tx->hash == b0.txHash);
    REQUIRE(reaped[1]->tx->hash == a0.txHash);
    REQUIRE(reaped[2]->tx->hash == a1.txHash);
    REQUIRE(f.pool.reap(2, 1 << 20).size() == 2);
    REQUIRE(f.pool.reap(10, reaped[0]->tx->bytes.size()).size() == 1);
}

TEST_CASE("update drops committed txs and re-checks the rest against the new state", "[mempool]") {
    Fixture f;
    auto alice = f.fund(1, 1'000);
    auto bob = f.fund(2, 1'000);
    auto a0 = f.pool.add(txBytes(alice, 0, 100), f.ledger);
    auto a1 = f.pool.add(txBytes(alice, 1, 100), f.ledger);
    auto a2 = f.pool.add(txBytes(alice, 2, 100), f.ledger);
    auto b0 = f.pool.add(txBytes(bob, 0, 300), f.ledger);
    auto b1 = f.pool.add(txBytes(bob, 1, 300), f.ledger);
    REQUIRE(f.pool.size() == 5);

    // Block: a0 committed here; alice's nonce 1 was used by a tx from elsewhere; bob spent most of his balance.
    f.ledger.accounts[Address::fromPublicKey(alice.publicKey)] = {2, Amount(1'000)};
    f.ledger.accounts[Address::fromPublicKey(bob.publicKey)] = {0, Amount(400)};
    f.pool.update({a0.txHash}, f.ledger);
    REQUIRE_FALSE(f.pool.contains(a0.txHash));
    REQUIRE_FALSE(f.pool.contains(a1.txHash));
    REQUIRE(f.pool.contains(a2.txHash));
    REQUIRE(f.pool.contains(b0.txHash));
    REQUIRE_FALSE(f.pool.contains(b1.txHash));  // 300 + 300 > 400
    REQUIRE(f.pool.size() == 2);
    // Admission continues from the new state.
    REQUIRE(f.pool.add(txBytes(alice, 3, 100), f.ledger).ok());
}

TEST_CASE("fee rate comparison is exact in integers", "[mempool]") {
    REQUIRE(feeRateLess(Amount(1), 3, Amount(1), 2));
    REQUIRE_FALSE(feeRateLess(Amount(2), 4, Amount(1), 2));
    REQUIRE(feeRateLess(Amount(UINT64_MAX - 1), 1, Amount(UINT64_MAX), 1));
}

TEST_CASE("admission with a ledger view older than the last update continues after the committed nonces", "[mempool]") {
    Fixture f;
    auto alice = f.fund(1);
    const LedgerFixture stale = f.ledger;  // the view an RPC thread took before the block committed
    auto a0 = f.pool.add(txBytes(alice, 0, 100), f.ledger);
    auto a1 = f.pool.add(txBytes(alice, 1, 100), f.ledger);
    REQUIRE(a0.ok());
    REQUIRE(a1.ok());
    // The block with a0 and a1 commits; update() removes them.
    f.ledger.accounts[Address::fromPublicKey(alice.publicKey)].nextNonce = 2;
    f.pool.update({a0.txHash, a1.txHash}, f.ledger);
    REQUIRE(f.pool.size() == 0);
    // Nonce 2 admitted through the stale view is the next one, not a gap;
    // the committed nonces stay refused.
    REQUIRE(f.pool.add(txBytes(alice, 2, 100), stale).ok());
    REQUIRE(f.pool.add(txBytes(alice, 1, 150), stale).code == code(AdmitCode::NonceTooLow));
    REQUIRE(f.pool.add(txBytes(alice, 4, 100), stale).code == code(AdmitCode::NonceGap));
}

TEST_CASE("eviction takes only account tails after tail and middle replacements and an update", "[mempool]") {
    Fixture f;
    Mempool pool(MempoolLimits{4, 1 << 20, 8}, f.cache);
    const auto a = f.fund(11), b = f.fund(12), c = f.fund(13), d = f.fund(14), e = f.fund(15), g = f.fund(16);
    auto a0 = pool.add(txBytes(a, 0, 150), f.ledger);
    REQUIRE(pool.add(txBytes(a, 1, 1000), f.ledger).ok());
    // Replace the tail, then the middle: the index must follow both.
    auto a1 = pool.add(txBytes(a, 1, 1100), f.ledger);
    auto a0b = pool.add(txBytes(a, 0, 170), f.ledger);
    auto b0 = pool.add(txBytes(b, 0, 500), f.ledger);
    auto c0 = pool.add(txBytes(c, 0, 600), f.ledger);
    REQUIRE((a0.ok() && a1.ok() && a0b.ok() && b0.ok() && c0.ok()));
    REQUIRE(pool.size() == 4);
    // Full: the lowest-rate tx (a's nonce 0) is not a tail, so b's is evicted.
    auto d0 = pool.add(txBytes(d, 0, 550), f.ledger);
    REQUIRE(d0.ok());
    REQUIRE(pool.contains(a0b.txHash));
    REQUIRE_FALSE(pool.contains(b0.txHash));
    // a's nonce 0 commits: a's remaining tx is head and tail at once.
    f.ledger.accounts[Address::fromPublicKey(a.publicKey)] = {1, Amount(1'000'000)};
    pool.update({a0b.txHash}, f.ledger);
    REQUIRE(pool.size() == 3);
    auto e0 = pool.add(txBytes(e, 0, 560), f.ledger);
    auto g0 = pool.add(txBytes(g, 0, 580), f.ledger);
    REQUIRE((e0.ok() && g0.ok()));
    REQUIRE_FALSE(pool.contains(d0.txHash));
    REQUIRE(pool.contains(a1.txHash));
    REQUIRE(pool.contains(c0.txHash));
    REQUIRE(pool.contains(e0.txHash));
}
