#include "TestEnv.h"

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include <catch2/catch.hpp>
#include <cstdlib>

#include "contracts/Bank.h"
#include "contracts/Invariants.h"

namespace agora::contracts::test {

namespace {
secp256k1_context* secpContext() {
    static secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    return ctx;
}
}  // namespace

std::array<std::uint8_t, 32> secretFromSeed(const std::string& seed) {
    // Any 32 bytes below the curve order; sha256 output virtually always is.
    return sha256(asBytes("agora-test-key/" + seed)).bytes();
}

PublicKey publicKeyOf(const std::array<std::uint8_t, 32>& secret) {
    secp256k1_keypair kp;
    if (secp256k1_keypair_create(secpContext(), &kp, secret.data()) != 1) std::abort();
    secp256k1_xonly_pubkey xonly;
    if (secp256k1_keypair_xonly_pub(secpContext(), &xonly, nullptr, &kp) != 1) std::abort();
    std::array<std::uint8_t, 32> out{};
    secp256k1_xonly_pubkey_serialize(secpContext(), out.data(), &xonly);
    return PublicKey(out);
}

Signature schnorrSign(const std::array<std::uint8_t, 32>& secret, const Hash256& digest) {
    secp256k1_keypair kp;
    if (secp256k1_keypair_create(secpContext(), &kp, secret.data()) != 1) std::abort();
    std::array<std::uint8_t, 64> sig{};
    if (secp256k1_schnorrsig_sign32(secpContext(), sig.data(), digest.bytes().data(), &kp, nullptr) != 1) std::abort();
    return Signature(sig);
}

Params testParams() {
    Params p;
    p.minFee = Amount(10);
    p.blockReward = Amount(1'000);
    p.minSelfStake = Amount(1'000);
    p.unbondingBlocks = 10;
    p.jailBlocks = 5;
    p.doubleSignSlashBps = 500;
    p.downtimeSlashBps = 100;
    p.downtimeWindowBlocks = 10;
    p.downtimeMaxMissed = 5;
    p.minProviderStake = Amount(1'000);
    p.providerStakePerLease = Amount(100);
    p.providerEarlyCloseSlashBps = 1'000;
    p.maxOffersPerProvider = 2;
    p.maxBidsPerJob = 3;
    p.minBidDeposit = Amount(10);
    p.maxBiddingWindowBlocks = 100;
    p.maxDurationSeconds = 1'000;
    p.graceSeconds = 3;
    p.reputationHalfLifeSeconds = 1'000;
    // A lease of price 100 per second over the minimum paid time weighs one lease.
    p.reputationReferencePaid = Amount(1'000);
    // Client standing off, so that each rule is tested apart; ReputationTest turns it on.
    p.reputationClientStanding = Amount(0);
    p.commissionChangeIntervalBlocks = 0;
    p.govMinDeposit = Amount(1'000);
    p.govDepositPeriodBlocks = 10;
    p.govVotingPeriodBlocks = 5;
    return p;
}

TestEnv::TestEnv(Params params) : params_(params), ledger_(std::string(kChainId)) {
    val0_ = &account("val0");
    val0Consensus_ = secretFromSeed("val0/consensus");
    Genesis g;
    g.chainId = std::string(kChainId);
    g.params = params_;
    g.validators.push_back(GenesisValidator{val0_->address, publicKeyOf(val0Consensus_), "val0", 1'000,
                                            *params_.minSelfStake.checkedMul(10)});
    auto updates = initGenesis(state_, g);
    REQUIRE(updates.hasValue());
    genesisUpdates_ = *updates;
    state::BlockContext ctx;
    ctx.height = 1;
    ctx.chainId = g.chainId;
    ctx.time = 1'700'000'000'000;
    ledger_.beginBlock(state_, ctx);
    checkInvariantsNow("genesis");
}

TestAccount& TestEnv::account(const std::string& name, Amount balance) {
    auto it = accounts_.find(name);
    if (it == accounts_.end()) {
        TestAccount a;
        a.name = name;
        a.secret = secretFromSeed(name);
        a.publicKey = publicKeyOf(a.secret);
        a.address = Address::fromPublicKey(a.publicKey);
        it = accounts_.emplace(name, a).first;
    }
    if (!balance.isZero()) fund(it->second, balance);
    return it->second;
}

void TestEnv::fund(const TestAccount& a, Amount amount) {
    read([&](ApplyContext& ctx) {
        Bank bank(ctx);
        REQUIRE(bank.mint(amount) == Code::Ok);
        REQUIRE(bank.credit(a.address, amount) == Code::Ok);
        return 0;
    });
}

SignedTx TestEnv::sign(const TxSpec& spec) const {
    SignedTx tx;
    tx.body.chainId = spec.chainId.value_or(std::string(kChainId));
    tx.body.signer = spec.signer->publicKey;
    auto acc =
        const_cast<TestEnv*>(this)->read([&](ApplyContext& ctx) { return Bank(ctx).account(spec.signer->address); });
    tx.body.nonce = spec.nonce.value_or(acc.nonce);
    tx.body.fee = spec.fee.value_or(params_.minFee);
    tx.body.msgs = spec.msgs;
    // A lease_from_offer naming version 0 names the offer's current version,
    // as a client that just read it would (1 when there is no such offer, so
    // the ledger answers offer_not_found).
    for (Msg& m : tx.body.msgs) {
        auto* lease = std::get_if<MsgLeaseFromOffer>(&m);
        if (lease == nullptr || lease->offerVersion != 0) continue;
        auto offer = const_cast<TestEnv*>(this)->read(
            [&](ApplyContext& ctx) { return Providers(ctx).offerRecord(lease->provider, lease->offerId); });
        lease->offerVersion = offer ? offer->version : 1;
    }
    tx.signature = schnorrSign(spec.signer->secret, tx.body.signDigest());
    if (spec.corruptSignature) {
        auto bytes = tx.signature.bytes();
        bytes[5] ^= 0x01;
        tx.signature = Signature(bytes);
    }
    return tx;
}

TxResult TestEnv::operator()(const TxSpec& spec, Expect e) {
    const SignedTx tx = sign(spec);
    TxResult r = ledger_.deliverTx(state_, tx);
    INFO("tx from " << spec.signer->name << ": got " << static_cast<int>(r.code) << " " << state::resultName(r.code)
                    << " (" << r.message << "), expected " << static_cast<int>(e.code) << " "
                    << state::resultName(e.code));
    REQUIRE(r.code == e.code);
    checkInvariantsNow("after tx from " + spec.signer->name);
    return r;
}

void TestEnv::checkInvariantsNow(const std::string& where) {
    auto bad = checkInvariants(state_);
    INFO("invariants " << where << ": " << bad.value_or("ok"));
    REQUIRE_FALSE(bad.has_value());
}

EndBlockResult TestEnv::nextBlock(state::BlockContext extra, std::uint64_t afterMs) {
    EndBlockResult r = ledger_.endBlock(state_);
    checkInvariantsNow("at end of block " + std::to_string(height()));
    extra.height = height() + 1;
    extra.chainId = std::string(kChainId);
    extra.time = ledger_.block().time + afterMs;
    ledger_.beginBlock(state_, extra);
    checkInvariantsNow("at begin of block " + std::to_string(height()));
    return r;
}

void TestEnv::advance(std::uint64_t blocks) {
    for (std::uint64_t i = 0; i < blocks; ++i) nextBlock();
}

void TestEnv::advanceTo(std::uint64_t h) {
    REQUIRE(h >= height());
    while (height() < h) nextBlock();
}

void TestEnv::advanceToTime(std::uint64_t timeMs) {
    while (time() < timeMs) nextBlock();
}

Amount TestEnv::balance(const TestAccount& a) {
    return balance(a.address);
}
Amount TestEnv::balance(const Address& a) {
    return read([&](ApplyContext& ctx) { return Bank(ctx).balance(a); });
}
std::uint64_t TestEnv::nonce(const TestAccount& a) {
    return read([&](ApplyContext& ctx) { return Bank(ctx).account(a.address).nonce; });
}
std::optional<AutoTopUp> TestEnv::autoTopUp(std::uint64_t leaseId) {
    return read([&](ApplyContext& ctx) { return Leases(ctx).autoTopUp(leaseId); });
}
std::optional<Lease> TestEnv::lease(std::uint64_t id) {
    return read([&](ApplyContext& ctx) { return Leases(ctx).get(id); });
}
std::optional<Job> TestEnv::job(std::uint64_t id) {
    return read([&](ApplyContext& ctx) { return Market(ctx).job(id); });
}
std::optional<Bid> TestEnv::bid(std::uint64_t id) {
    return read([&](ApplyContext& ctx) { return Market(ctx).bid(id); });
}
std::optional<Provider> TestEnv::provider(const TestAccount& a) {
    return read([&](ApplyContext& ctx) { return Providers(ctx).get(a.address); });
}
std::optional<Validator> TestEnv::validator(const Address& op) {
    return read([&](ApplyContext& ctx) { return Staking(ctx).validator(op); });
}
ProviderReputation TestEnv::reputation(const TestAccount& a) {
    return read([&](ApplyContext& ctx) { return Reputation(ctx).provider(a.address); });
}
ClientRecord TestEnv::clientRecord(const TestAccount& a) {
    return read([&](ApplyContext& ctx) { return Reputation(ctx).client(a.address); });
}
Supply TestEnv::supply() {
    return read([&](ApplyContext& ctx) { return Bank(ctx).supply(); });
}
Amount TestEnv::feePool() {
    return read([&](ApplyContext& ctx) { return Bank(ctx).feePool(); });
}
std::optional<Proposal> TestEnv::proposal(std::uint64_t id) {
    return read([&](ApplyContext& ctx) { return Gov(ctx).proposal(id); });
}
Tally TestEnv::tally(const Proposal& p) {
    return read([&](ApplyContext& ctx) { return Gov(ctx).tally(p); });
}
Params TestEnv::storedParams() {
    return loadParams(state_);
}

std::uint64_t eventId(const TxResult& r, const std::string& type, const std::string& attr) {
    for (auto it = r.events.rbegin(); it != r.events.rend(); ++it)
        if (it->type == type)
            if (auto v = it->attr(attr)) return std::stoull(*v);
    FAIL("no event " << type << " with attribute " << attr);
    return 0;
}

namespace {
TxSpec one(const TestAccount& signer, Msg m) {
    TxSpec s;
    s.signer = &signer;
    s.msgs.push_back(std::move(m));
    return s;
}
}  // namespace

TxSpec send(const TestAccount& from, const TestAccount& to, Amount amount) {
    return one(from, MsgSend{to.address, amount});
}
TxSpec createValidator(const TestAccount& op, const PublicKey& key, Amount selfStake, std::uint32_t commissionBps) {
    return one(op, MsgCreateValidator{key, op.name, commissionBps, selfStake});
}
TxSpec delegate(const TestAccount& who, const Address& v, Amount amount) {
    return one(who, MsgDelegate{v, amount});
}
TxSpec undelegate(const TestAccount& who, const Address& v, Amount amount) {
    return one(who, MsgUndelegate{v, amount});
}
TxSpec unjail(const TestAccount& op) {
    return one(op, MsgUnjail{});
}
TxSpec providerRegister(const TestAccount& p, Resources capacity, Amount stake, std::vector<Attribute> attributes) {
    return one(
        p, MsgProviderRegister{"https://" + p.name + ".example", std::move(attributes), std::move(capacity), stake});
}
TxSpec providerUpdate(const TestAccount& p, MsgProviderUpdate m) {
    return one(p, std::move(m));
}
TxSpec providerUnbond(const TestAccount& p, Amount amount) {
    return one(p, MsgProviderUnbond{amount});
}
TxSpec offerSet(const TestAccount& p, std::uint32_t offerId, PriceSchedule prices) {
    return one(p, MsgOfferSet{offerId, std::move(prices)});
}
TxSpec offerRemove(const TestAccount& p, std::uint32_t offerId) {
    return one(p, MsgOfferRemove{offerId});
}
TxSpec jobCreate(const TestAccount& client, Resources resources, Amount maxPrice, std::uint64_t duration,
                 Amount deposit, std::uint64_t window, std::vector<Attribute> constraints, std::uint32_t minReputation,
                 Hash256 manifestHash) {
    return one(client, MsgJobCreate{std::move(resources), std::move(constraints), maxPrice, duration, window,
                                    minReputation, deposit, manifestHash});
}
TxSpec jobCancel(const TestAccount& client, std::uint64_t jobId) {
    return one(client, MsgJobCancel{jobId});
}
TxSpec bidPlace(const TestAccount& p, std::uint64_t jobId, Amount price, Amount deposit) {
    return one(p, MsgBidPlace{jobId, price, deposit});
}
TxSpec bidWithdraw(const TestAccount& p, std::uint64_t bidId) {
    return one(p, MsgBidWithdraw{bidId});
}
TxSpec bidAccept(const TestAccount& client, std::uint64_t bidId) {
    return one(client, MsgBidAccept{bidId});
}
TxSpec leaseFromOffer(const TestAccount& client, const TestAccount& provider, std::uint32_t offerId,
                      Resources resources, std::uint64_t duration, Amount deposit, Hash256 manifestHash,
                      Amount maxPrice, std::uint64_t offerVersion) {
    return one(client, MsgLeaseFromOffer{provider.address, offerId, std::move(resources), duration, deposit,
                                         manifestHash, maxPrice, offerVersion});
}
TxSpec leaseTopUp(const TestAccount& client, std::uint64_t leaseId, Amount amount) {
    return one(client, MsgLeaseTopUp{leaseId, amount});
}
TxSpec leaseSetAutoTopUp(const TestAccount& client, std::uint64_t leaseId, Amount perTopUp, Amount cap) {
    return one(client, MsgLeaseSetAutoTopUp{leaseId, perTopUp, cap});
}
TxSpec usageReport(const TestAccount& p, std::uint64_t leaseId, std::uint64_t upTo, std::uint32_t availabilityBps) {
    return one(p, MsgUsageReport{leaseId, upTo, availabilityBps, sha256(asBytes("metrics"))});
}
TxSpec leaseClose(const TestAccount& who, std::uint64_t leaseId, CloseReason reason) {
    return one(who, MsgLeaseClose{leaseId, reason});
}
TxSpec leaseSettle(const TestAccount& client, std::uint64_t leaseId, std::uint8_t rating) {
    return one(client, MsgLeaseSettle{leaseId, rating});
}
TxSpec providerWithdraw(const TestAccount& p, std::uint64_t leaseId) {
    return one(p, MsgProviderWithdraw{leaseId});
}

TxSpec govSubmit(const TestAccount& who, std::vector<ParamChange> changes, Amount deposit, std::string title) {
    return one(who, MsgGovSubmit{std::move(title), std::move(changes), deposit});
}
TxSpec govDeposit(const TestAccount& who, std::uint64_t proposalId, Amount amount) {
    return one(who, MsgGovDeposit{proposalId, amount});
}
TxSpec govVote(const TestAccount& who, std::uint64_t proposalId, VoteOption option) {
    return one(who, MsgGovVote{proposalId, option});
}

Resources cpuMem(std::uint64_t cpu, std::uint64_t mem) {
    Resources r;
    r.cpuMillicores = cpu;
    r.memoryMib = mem;
    return r;
}

}  // namespace agora::contracts::test
