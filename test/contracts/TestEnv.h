#pragma once
// TestEnv: an in-process ledger for tests, in the spirit of rippled's
// jtx::Env. In-memory state from a genesis, named funded accounts with real
// BIP-340 keys, a manual block height, and one-line tx expectations:
//
//   TestEnv env;
//   auto& alice = env.account("alice", Amount(1'000'000));
//   env(send(alice, bob, Amount(5)), expect(Code::Ok));
//   env.advance(10);  // ten blocks pass
//
// Every tx and every block end checks the ledger invariants.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "consensus/core/Tx.h"
#include "consensus/state/Sandbox.h"
#include "contracts/Bank.h"
#include "contracts/Genesis.h"
#include "contracts/Gov.h"
#include "contracts/Leases.h"
#include "contracts/Ledger.h"
#include "contracts/Market.h"
#include "contracts/Providers.h"
#include "contracts/Reputation.h"
#include "contracts/Staking.h"

namespace agora::contracts::test {

using Code = state::ResultCode;

struct TestAccount {
    std::string name;
    std::array<std::uint8_t, 32> secret{};
    PublicKey publicKey;
    Address address;
};

// Signs with libsecp256k1 (BIP-340, no aux randomness: deterministic).
Signature schnorrSign(const std::array<std::uint8_t, 32>& secret, const Hash256& digest);
PublicKey publicKeyOf(const std::array<std::uint8_t, 32>& secret);
// A deterministic secret from a seed string.
std::array<std::uint8_t, 32> secretFromSeed(const std::string& seed);

// A tx to submit: the signer and its messages; nonce and fee default to the
// account's next nonce and the min fee.
struct TxSpec {
    const TestAccount* signer = nullptr;
    std::vector<Msg> msgs;
    std::optional<std::uint64_t> nonce;
    std::optional<Amount> fee;
    std::optional<std::string> chainId;
    bool corruptSignature = false;

    TxSpec& withNonce(std::uint64_t n) {
        nonce = n;
        return *this;
    }
    TxSpec& withFee(Amount f) {
        fee = f;
        return *this;
    }
    TxSpec& withChain(std::string c) {
        chainId = std::move(c);
        return *this;
    }
    TxSpec& badSignature() {
        corruptSignature = true;
        return *this;
    }
    TxSpec& plus(Msg m) {
        msgs.push_back(std::move(m));
        return *this;
    }
};

struct Expect {
    Code code = Code::Ok;
};
inline Expect expect(Code c) {
    return Expect{c};
}

// Params small enough to reason about in tests.
Params testParams();

class TestEnv {
public:
    static constexpr std::string_view kChainId = "agora-test";

    // One genesis validator ("val0") bonded with 10x min self stake.
    explicit TestEnv(Params params = testParams());

    // A named account with a deterministic key, funded with `balance` (minted).
    TestAccount& account(const std::string& name, Amount balance = Amount{});
    void fund(const TestAccount& a, Amount amount);

    SignedTx sign(const TxSpec& spec) const;
    // Delivers the tx into the current block; REQUIREs the expected code and
    // CHECKs the invariants.
    TxResult operator()(const TxSpec& spec, Expect e = Expect{});

    // Ends the current block and begins the next one, one second of block
    // time later (or `afterMs` later); returns the end-block result.
    EndBlockResult nextBlock(state::BlockContext extra = {}, std::uint64_t afterMs = 1'000);
    void advance(std::uint64_t blocks);
    // Runs blocks until the current height is `h` (begun, not ended).
    void advanceTo(std::uint64_t h);
    // Runs one-second blocks until the current block's time is >= `timeMs` (begun, not ended).
    void advanceToTime(std::uint64_t timeMs);
    std::uint64_t height() const { return ledger_.block().height; }
    // The current block's time (header time, ms).
    std::uint64_t time() const { return ledger_.block().time; }

    // Read accessors.
    Amount balance(const TestAccount& a);
    Amount balance(const Address& a);
    std::uint64_t nonce(const TestAccount& a);
    std::optional<Lease> lease(std::uint64_t id);
    std::optional<AutoTopUp> autoTopUp(std::uint64_t leaseId);
    std::optional<Job> job(std::uint64_t id);
    std::optional<Bid> bid(std::uint64_t id);
    std::optional<Provider> provider(const TestAccount& a);
    std::optional<Validator> validator(const Address& op);
    ProviderReputation reputation(const TestAccount& a);
    ClientRecord clientRecord(const TestAccount& a);
    Supply supply();
    Amount feePool();
    std::optional<Proposal> proposal(std::uint64_t id);
    Tally tally(const Proposal& p);
    // The parameters in state (params() is what genesis had).
    Params storedParams();
    const Params& params() const { return params_; }

    const state::MemoryState& state() const { return state_; }
    Ledger& ledger() { return ledger_; }
    const TestAccount& validatorOperator() const { return *val0_; }
    const std::array<std::uint8_t, 32>& validatorConsensusSecret() const { return val0Consensus_; }
    const std::vector<ValidatorUpdate>& genesisValidators() const { return genesisUpdates_; }

private:
    template <typename Fn>
    auto read(Fn&& fn) {
        std::vector<state::Event> ev;
        ApplyContext ctx(state_, ledger_.block(), params_, ev);
        return fn(ctx);
    }
    void checkInvariantsNow(const std::string& where);

    Params params_;
    state::MemoryState state_;
    Ledger ledger_;
    std::map<std::string, TestAccount> accounts_;
    TestAccount* val0_ = nullptr;
    std::array<std::uint8_t, 32> val0Consensus_{};
    std::vector<ValidatorUpdate> genesisUpdates_;
};

// The id in an event attribute of the last event of `type` in a result.
std::uint64_t eventId(const TxResult& r, const std::string& type, const std::string& attr);

// Message builders: the first argument is always the signer.
TxSpec send(const TestAccount& from, const TestAccount& to, Amount amount);
TxSpec createValidator(const TestAccount& op, const PublicKey& consensusKey, Amount selfStake,
                       std::uint32_t commissionBps = 500);
TxSpec delegate(const TestAccount& who, const Address& validator, Amount amount);
TxSpec undelegate(const TestAccount& who, const Address& validator, Amount amount);
TxSpec unjail(const TestAccount& op);
TxSpec providerRegister(const TestAccount& p, Resources capacity, Amount stake,
                        std::vector<Attribute> attributes = {{"region", "eu-west"}, {"tier", "gold"}});
TxSpec providerUpdate(const TestAccount& p, MsgProviderUpdate m);
TxSpec providerUnbond(const TestAccount& p, Amount amount);
TxSpec offerSet(const TestAccount& p, std::uint32_t offerId, PriceSchedule prices);
TxSpec offerRemove(const TestAccount& p, std::uint32_t offerId);
TxSpec jobCreate(const TestAccount& client, Resources resources, Amount maxPricePerSecond,
                 std::uint64_t durationSeconds, Amount deposit, std::uint64_t biddingWindowBlocks = 10,
                 std::vector<Attribute> constraints = {}, std::uint32_t minReputation = 0, Hash256 manifestHash = {});
TxSpec jobCancel(const TestAccount& client, std::uint64_t jobId);
TxSpec bidPlace(const TestAccount& p, std::uint64_t jobId, Amount price, Amount deposit);
TxSpec bidWithdraw(const TestAccount& p, std::uint64_t bidId);
TxSpec bidAccept(const TestAccount& client, std::uint64_t bidId);
// offerVersion 0: the env signs the offer's version as it is when the tx is
// signed (a client that just read it); name one to test a stale read.
TxSpec leaseFromOffer(const TestAccount& client, const TestAccount& provider, std::uint32_t offerId,
                      Resources resources, std::uint64_t durationSeconds, Amount deposit, Hash256 manifestHash = {},
                      Amount maxPrice = Amount(1'000'000'000), std::uint64_t offerVersion = 0);
TxSpec leaseTopUp(const TestAccount& client, std::uint64_t leaseId, Amount amount);
TxSpec leaseSetAutoTopUp(const TestAccount& client, std::uint64_t leaseId, Amount perTopUp, Amount cap);
TxSpec usageReport(const TestAccount& p, std::uint64_t leaseId, std::uint64_t upToHeight,
                   std::uint32_t availabilityBps);
TxSpec leaseClose(const TestAccount& who, std::uint64_t leaseId, CloseReason reason);
TxSpec leaseSettle(const TestAccount& client, std::uint64_t leaseId, std::uint8_t rating);
TxSpec providerWithdraw(const TestAccount& p, std::uint64_t leaseId);
TxSpec govSubmit(const TestAccount& who, std::vector<ParamChange> changes, Amount deposit,
                 std::string title = "a test proposal");
TxSpec govDeposit(const TestAccount& who, std::uint64_t proposalId, Amount amount);
TxSpec govVote(const TestAccount& who, std::uint64_t proposalId, VoteOption option);

// Handy resource shapes.
Resources cpuMem(std::uint64_t cpuMillicores, std::uint64_t memoryMib);

}  // namespace agora::contracts::test
