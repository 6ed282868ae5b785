#include "MarketSim.h"

#include <algorithm>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "consensus/state/Sandbox.h"
#include "contracts/Bank.h"
#include "contracts/Genesis.h"
#include "contracts/Invariants.h"
#include "contracts/LeaseAccrual.h"
#include "contracts/Leases.h"
#include "contracts/Ledger.h"
#include "contracts/Market.h"
#include "contracts/Providers.h"
#include "contracts/Reputation.h"
#include "contracts/ResourceMath.h"
#include "contracts/Staking.h"
#include "support/TestKeys.h"
#include "support/TestRng.h"

namespace agora::contracts::sim {

std::string_view attackName(Attack a) {
    switch (a) {
        case Attack::Whitewash:
            return "whitewash";
        case Attack::WashTrade:
            return "wash_trade";
        case Attack::Grief:
            return "grief";
        case Attack::Squat:
            return "squat";
        case Attack::Spam:
            return "spam";
    }
    return "unknown";
}

namespace {

using state::ResultCode;

// The test generator (SplitMix64: the same stream on every platform) with the
// draws the agents need.
class Rng {
public:
    explicit Rng(std::uint64_t seed) : g_(seed) {}
    std::uint64_t below(std::uint64_t n) { return g_.below(n); }
    std::uint64_t range(std::uint64_t lo, std::uint64_t hi) { return lo + g_.below(hi - lo + 1); }
    bool chance(std::uint32_t ppm) { return ppm > 0 && g_.below(1'000'000) < ppm; }

private:
    test::TestRng g_;
};

constexpr std::string_view kChainId = "agora-market-sim";
constexpr std::uint64_t kGenesisTimeMs = 1'700'000'000'000;
constexpr std::uint64_t kAgr = 1'000'000;
// Every account starts with this (coalition accounts too, in every run, so
// the counterfactual starts from the same books).
constexpr std::uint64_t kFunding = 100'000 * kAgr;
constexpr std::uint64_t kMaxPricePerMillicore = 6;  // clients' max price, uagr per millicore per second
constexpr std::uint32_t kExplorePpm = 250'000;      // a client tries a provider regardless of score
constexpr std::uint32_t kNoCoalition = 0xFF;

enum class Role : std::uint8_t {
    HonestProvider,
    FlakyProvider,
    Client,
    Whitewasher,  // one of the whitewasher's identities
    WashTrader,
    WashHelper,  // the wash trader's second provider identity: sells its sybils standing
    WashSybil,
    GriefProvider,
    GriefSybil,
    Squatter,
    Spammer,
};

bool providerRole(Role r) {
    switch (r) {
        case Role::HonestProvider:
        case Role::FlakyProvider:
        case Role::Whitewasher:
        case Role::WashTrader:
        case Role::WashHelper:
        case Role::GriefProvider:
        case Role::Squatter:
            return true;
        case Role::Client:
        case Role::WashSybil:
        case Role::GriefSybil:
        case Role::Spammer:
            return false;
    }
    return false;
}

// Honest for the ranking figure: serves every lease it takes.
bool honestRole(Role r) {
    return r == Role::HonestProvider || r == Role::GriefProvider;
}

struct Actor {
    std::string name;
    test::TestKey key;
    Address address;
    Role role = Role::Client;
    std::uint32_t coalition = kNoCoalition;  // an Attack, or none
    std::uint64_t nonce = 0;
};

test::TestKey keyFromSeed(const std::string& seed) {
    test::TestKey k;
    k.secret = sha256(asBytes("agora-market-sim/" + seed)).bytes();
    secp256k1_keypair kp;
    if (secp256k1_keypair_create(test::testSecpContext(), &kp, k.secret.data()) != 1) std::abort();
    secp256k1_xonly_pubkey xonly;
    if (secp256k1_keypair_xonly_pub(test::testSecpContext(), &xonly, nullptr, &kp) != 1) std::abort();
    std::array<std::uint8_t, 32> out{};
    secp256k1_xonly_pubkey_serialize(test::testSecpContext(), out.data(), &xonly);
    k.publicKey = PublicKey(out);
    return k;
}

Resources cpuMem(std::uint64_t cpu, std::uint64_t mem) {
    Resources r;
    r.cpuMillicores = cpu;
    r.memoryMib = mem;
    return r;
}

// What the world decides about a lease when it opens: whether its provider
// will stop serving it, and when its client notices.
struct LeaseFate {
    std::size_t client = 0;    // actor
    std::size_t provider = 0;  // actor
    bool fails = false;
    std::uint64_t failTime = 0;    // ms: service stops
    std::uint64_t detectTime = 0;  // ms: the client reports provider_failed from then on
    bool griefing = false;         // a griefer's lease: reported failed once paid the minimum
    bool handled = false;          // the client acted on it (closed and/or settled)
};

struct ProviderAgent {
    std::vector<std::size_t> identities;  // actors; the whitewasher has several
    std::size_t current = 0;              // index into identities
    std::uint32_t failPpm = 0;
    std::uint64_t pricePerMillicore = 4;
    bool hasOffer = true;
    bool exiting = false;  // whitewasher: stopped taking work, drops the identity once idle
    std::set<std::uint64_t> bidOn;
    Rng rng{0};
    std::size_t actor() const { return identities[current]; }
};

struct ClientAgent {
    std::size_t actor = 0;
    std::vector<std::uint64_t> jobs;  // posted, not yet decided
    std::vector<std::uint64_t> leases;
    Rng rng{0};
};

struct OpenJob {
    std::uint64_t id = 0;
    std::uint64_t biddingEnd = 0;
};

class MarketRun {
    // A read of the current state through the modules' own accessors.
    template <typename Fn>
    auto read(Fn&& fn) {
        std::vector<state::Event> ev;
        ApplyContext ctx(state_, ledger_.block(), params_, ev);
        return fn(ctx);
    }

public:
    explicit MarketRun(const MarketSimConfig& c) : config_(c), ledger_(std::string(kChainId)) {
        for (const auto& [name, value] : c.params)
            if (setParam(params_, name, value) != ResultCode::Ok) std::abort();
        if (params_.validate()) std::abort();
        for (Attack a : c.attacks) on_[static_cast<std::size_t>(a)] = true;
        buildAgents();
        Genesis g;
        g.chainId = std::string(kChainId);
        g.params = params_;
        for (const Actor& a : actors_) g.accounts.push_back(GenesisAccount{a.address, Amount(kFunding)});
        validator_ = keyFromSeed("validator");
        g.validators.push_back(GenesisValidator{Address::fromPublicKey(keyFromSeed("validator-op").publicKey),
                                                validator_.publicKey, "val0", 500,
                                                *params_.minSelfStake.checkedMul(10)});
        if (!initGenesis(state_, g).hasValue()) std::abort();
    }

    RunReport run() {
        const std::uint64_t total = config_.activeBlocks + config_.windDownBlocks;
        Supply before = read([](ApplyContext& ctx) { return Bank(ctx).supply(); });
        for (std::uint64_t h = 1; h <= total; ++h) {
            state::BlockContext b;
            b.height = h;
            b.chainId = std::string(kChainId);
            b.time = kGenesisTimeMs + h * config_.blockMs;
            burnedInEvents_ = 0;
            noteEvents(ledger_.beginBlock(state_, b));
            act(h <= config_.activeBlocks);
            if (h == config_.plantedMintHeight) {
                // The self-test's fault: money out of thin air, outside any tx.
                read([&](ApplyContext& ctx) {
                    Bank bank(ctx);
                    return bank.mint(Amount(1)) == ResultCode::Ok &&
                           bank.credit(actors_[0].address, Amount(1)) == ResultCode::Ok;
                });
            }
            noteEvents(ledger_.endBlock(state_).events);
            checkBlock(h, before);
            before = read([](ApplyContext& ctx) { return Bank(ctx).supply(); });
        }
        report_.blocks = total;
        report_.minted = before.minted.micro();
        report_.burned = before.burned.micro();
        finish();
        return report_;
    }

private:
    // ---- setup ----------------------------------------------------------

    std::size_t addActor(const std::string& name, Role role, std::uint32_t coalition) {
        Actor a;
        a.name = name;
        a.key = keyFromSeed(std::to_string(config_.seed) + "/" + name);
        a.address = Address::fromPublicKey(a.key.publicKey);
        a.role = role;
        a.coalition = coalition;
        byAddress_[a.address] = actors_.size();
        actors_.push_back(std::move(a));
        return actors_.size() - 1;
    }

    void addProvider(const std::string& name, Role role, std::uint32_t coalition, std::uint32_t failPpm,
                     std::uint64_t price, std::size_t identities = 1) {
        ProviderAgent p;
        for (std::size_t i = 0; i < identities; ++i)
            p.identities.push_back(addActor(name + (identities > 1 ? "#" + std::to_string(i) : ""), role, coalition));
        p.failPpm = failPpm;
        p.pricePerMillicore = price;
        p.hasOffer = role != Role::Squatter && role != Role::WashHelper;
        p.rng = Rng(config_.seed * 7919 + providers_.size() + 1);
        providers_.push_back(std::move(p));
    }

    void buildAgents() {
        Rng setup(config_.seed);
        const auto ww = static_cast<std::uint32_t>(Attack::Whitewash);
        const auto wt = static_cast<std::uint32_t>(Attack::WashTrade);
        const auto gr = static_cast<std::uint32_t>(Attack::Grief);
        const auto sq = static_cast<std::uint32_t>(Attack::Squat);
        const auto sp = static_cast<std::uint32_t>(Attack::Spam);
        for (std::uint32_t i = 0; i < config_.honestProviders; ++i)
            addProvider("honest" + std::to_string(i), Role::HonestProvider, kNoCoalition,
                        static_cast<std::uint32_t>(setup.below(20'001)), setup.range(3, 5));
        for (std::uint32_t i = 0; i < config_.flakyProviders; ++i)
            addProvider("flaky" + std::to_string(i), Role::FlakyProvider, kNoCoalition,
                        static_cast<std::uint32_t>(setup.range(250'000, 450'000)), setup.range(3, 5));
        addProvider("whitewasher", Role::Whitewasher, ww, 700'000, 3, 8);
        whitewasher_ = providers_.size() - 1;
        addProvider("washtrader", Role::WashTrader, wt, 200'000, 4);
        washTrader_ = providers_.size() - 1;
        addProvider("washhelper", Role::WashHelper, wt, 0, 4);
        washHelper_ = providers_.size() - 1;
        addProvider("griefprovider", Role::GriefProvider, gr, 0, 4);
        griefProvider_ = providers_.size() - 1;
        for (std::uint32_t i = 0; i < kSquatters; ++i)
            addProvider("squatter" + std::to_string(i), Role::Squatter, sq, 1'000'000, 1);
        for (std::uint32_t i = 0; i < config_.clients; ++i) {
            ClientAgent c;
            c.actor = addActor("client" + std::to_string(i), Role::Client, kNoCoalition);
            c.rng = Rng(config_.seed * 104'729 + i + 1);
            clients_.push_back(std::move(c));
        }
        for (std::uint32_t i = 0; i < kWashSybils; ++i)
            washSybils_.push_back(addActor("washsybil" + std::to_string(i), Role::WashSybil, wt));
        for (std::uint32_t i = 0; i < kGriefSybils; ++i)
            griefSybils_.push_back(addActor("griefsybil" + std::to_string(i), Role::GriefSybil, gr));
        spammer_ = addActor("spammer", Role::Spammer, sp);
        worldRng_ = Rng(config_.seed ^ 0x5eed5eedULL);
    }

    static constexpr std::uint32_t kSquatters = 32;  // the default max_bids_per_job
    // The attackers' best response to the per-client 1/k (accounts are free):
    // a fresh sybil for every lease of the default 600 active blocks (reused
    // round robin in longer runs).
    static constexpr std::uint32_t kWashSybils = 600;
    // With reputation_client_standing on, a sybil costs the take on the standing
    // it buys from the helper, so each does this many wash leases (about the
    // cheapest weight per uagr at the defaults: cost / H(n) is least near here).
    static constexpr std::uint64_t kWashLeasesPerStandingSybil = 30;
    static constexpr std::uint64_t kGriefEveryBlocks = 6;
    static constexpr std::uint32_t kGriefSybils = 100;
    static constexpr std::uint64_t kGriefsPerStandingSybil = 10;

    bool on(Attack a) const { return on_[static_cast<std::size_t>(a)]; }

    // ---- state access and txs -----------------------------------------

    TxResult submit(std::size_t who, std::vector<Msg> msgs) {
        Actor& a = actors_[who];
        SignedTx tx;
        tx.body.chainId = std::string(kChainId);
        tx.body.signer = a.key.publicKey;
        tx.body.nonce = a.nonce;
        tx.body.fee = params_.minFee;
        tx.body.msgs = std::move(msgs);
        tx.signature = test::signDigest32(a.key, tx.body.signDigest());
        TxResult r = ledger_.deliverTx(state_, tx);
        ++report_.txs;
        if (r.ok()) ++report_.txsOk;
        // Applied (ok, or failed with the fee charged): the nonce advanced.
        if (r.ok() || static_cast<int>(r.code) >= 300) ++a.nonce;
        if (a.coalition != kNoCoalition) {
            auto& c = report_.coalition[a.coalition];
            c.fees += r.feeCharged.micro();
            ++c.txs;
        }
        noteEvents(r.events);
        return r;
    }

    void noteEvents(const std::vector<state::Event>& events) {
        for (const state::Event& e : events) {
            const auto num = [&](std::string_view k) { return std::stoull(e.attr(k).value_or("0")); };
            if (e.type == "job_created") {
                openJobs_.push_back(OpenJob{num("job_id"), num("bidding_end_height")});
            } else if (e.type == "lease_created") {
                openLease(num("lease_id"), *e.attr("client"), *e.attr("provider"));
            } else if (e.type == "provider_withdraw" || e.type == "lease_settled") {
                burnedInEvents_ += num("burned");
            } else if (e.type == "provider_slashed") {
                burnedInEvents_ += num("amount");
                if (auto it = byAddressBech32(*e.attr("provider")); it != kNone) {
                    if (actors_[it].coalition != kNoCoalition)
                        report_.coalition[actors_[it].coalition].slashed += num("amount");
                }
            } else if (e.type == "slash") {
                burnedInEvents_ += num("burned");
            } else if (e.type == "proposal_deposits_burned") {
                burnedInEvents_ += num("amount");
            }
        }
    }

    static constexpr std::size_t kNone = SIZE_MAX;
    std::size_t byAddressBech32(const std::string& s) const {
        auto a = Address::fromBech32(s);
        if (!a) return kNone;
        auto it = byAddress_.find(*a);
        return it == byAddress_.end() ? kNone : it->second;
    }

    ProviderAgent* agentOfProvider(std::size_t actor) {
        for (auto& p : providers_)
            if (std::find(p.identities.begin(), p.identities.end(), actor) != p.identities.end()) return &p;
        return nullptr;
    }

    void openLease(std::uint64_t id, const std::string& client, const std::string& provider) {
        LeaseFate f;
        f.client = byAddressBech32(client);
        f.provider = byAddressBech32(provider);
        if (f.client == kNone || f.provider == kNone) std::abort();
        ++report_.leases;
        const Role cr = actors_[f.client].role;
        ProviderAgent* p = agentOfProvider(f.provider);
        const auto lease = read([&](ApplyContext& ctx) { return Leases(ctx).get(id); });
        if (!p || !lease) std::abort();
        if (cr == Role::GriefSybil) {
            f.griefing = true;  // the victim serves; the report will be false
        } else if (cr == Role::Client && p->rng.chance(p->failPpm)) {
            // The provider stops serving at some point of the lease; the client notices 10..30 s later.
            const std::uint64_t durationMs = lease->endTime - lease->startTime;
            f.fails = true;
            f.failTime =
                lease->startTime +
                (actors_[f.provider].role == Role::Squatter ? 0 : p->rng.below(std::max<std::uint64_t>(durationMs, 1)));
            f.detectTime = f.failTime + 1'000 * p->rng.range(10, 30);
            ++report_.leasesFailed;
        }
        fates_[id] = f;
        if (cr == Role::WashSybil || cr == Role::GriefSybil) sybilLeases_.push_back(id);
        if (cr == Role::Client)
            for (auto& c : clients_)
                if (c.actor == f.client) c.leases.push_back(id);
    }

    // ---- agents --------------------------------------------------------

    void act(bool active) {
        // A fresh order every block, so that no agent always moves first.
        std::vector<std::size_t> order;
        const std::size_t n = providers_.size() + clients_.size() + 3;
        for (std::size_t i = 0; i < n; ++i) order.push_back(i);
        for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[worldRng_.below(i)]);
        for (std::size_t i : order) {
            if (i < providers_.size()) {
                providerStep(providers_[i], active);
            } else if (i < providers_.size() + clients_.size()) {
                clientStep(clients_[i - providers_.size()], active);
            } else if (i == n - 3) {
                washStep(active);
            } else if (i == n - 2) {
                griefStep(active);
            } else {
                spamStep(active);
            }
        }
        const std::uint64_t h = ledger_.block().height;
        std::erase_if(openJobs_, [&](const OpenJob& j) { return j.biddingEnd < h; });
    }

    bool registered(std::size_t actor) {
        return read([&](ApplyContext& ctx) { return Providers(ctx).get(actors_[actor].address); }).has_value();
    }

    void registerProvider(ProviderAgent& p) {
        const std::size_t me = p.actor();
        const bool squatter = actors_[me].role == Role::Squatter;
        MsgProviderRegister reg;
        reg.hostUri = "https://" + actors_[me].name + ".example";
        reg.attributes = {{"region", "eu-west"}};
        // Declared capacity is not proven: a squatter declares a lot.
        reg.capacity = squatter ? cpuMem(64'000, 131'072) : cpuMem(16'000, 32'768);
        // Twelve leases' worth of stake (a squatter: the least that lets it win one).
        reg.stake = *params_.minProviderStake.checkedAdd(*params_.providerStakePerLease.checkedMul(squatter ? 1 : 12));
        std::vector<Msg> msgs{reg};
        if (p.hasOffer) {
            PriceSchedule prices;
            prices.perCpuMillicore = Amount(p.pricePerMillicore);
            msgs.push_back(MsgOfferSet{1, prices});
        }
        submit(me, std::move(msgs));
    }

    void providerStep(ProviderAgent& p, bool active) {
        const std::size_t me = p.actor();
        const Role role = actors_[me].role;
        if (role == Role::Squatter && !on(Attack::Squat)) return;  // the counterpart: no squatters at all
        if (role == Role::WashHelper) {
            // Serves only the wash trader's sybils (washStep), never bids or offers to others.
            if (on(Attack::WashTrade) && active && !registered(me)) registerProvider(p);
            return;
        }
        if (!registered(me)) {
            if (active) registerProvider(p);
            return;
        }
        const std::uint64_t h = ledger_.block().height;
        const auto prov = read([&](ApplyContext& ctx) { return Providers(ctx).get(actors_[me].address); });
        if (role == Role::Whitewasher && on(Attack::Whitewash) && active) {
            if (whitewash(p, *prov)) return;
        }
        // Withdraw what its leases accrued, every 20 blocks.
        if (h % 20 == p.rng.below(20)) {
            for (const auto& [id, f] : fates_) {
                if (f.provider != me) continue;
                auto l = read([&](ApplyContext& ctx) { return Leases(ctx).get(id); });
                if (!l || l->state == LeaseState::Closed) continue;
                Lease copy = *l;
                accrueTo(copy, ledger_.block().time);
                if (!copy.accrued.isZero()) submit(me, {MsgProviderWithdraw{id}});
            }
        }
        if (!active || p.exiting) return;
        if (role == Role::Squatter) {
            squat(p, *prov);
            return;
        }
        for (const OpenJob& oj : openJobs_) {
            if (oj.biddingEnd <= h || p.bidOn.count(oj.id) != 0) continue;
            p.bidOn.insert(oj.id);
            if (!p.rng.chance(700'000)) continue;  // not every provider answers every job
            auto j = read([&](ApplyContext& ctx) { return Market(ctx).job(oj.id); });
            if (!j || j->state != JobState::Open) continue;
            const Amount price(p.pricePerMillicore * j->resources.cpuMillicores);
            if (price > j->maxPricePerSecond) continue;
            auto prov2 = read([&](ApplyContext& ctx) { return Providers(ctx).get(actors_[me].address); });
            const bool fits = read([&](ApplyContext& ctx) {
                return Providers(ctx).canTakeLease(*prov2, j->resources) == ResultCode::Ok &&
                       (j->minReputation == 0 || Reputation(ctx).score(actors_[me].address) >= j->minReputation);
            });
            if (!fits) continue;
            submit(me, {MsgBidPlace{oj.id, price, params_.minBidDeposit}});
        }
    }

    // The whitewasher leaves an identity whose score sank and starts over
    // with a fresh one. True when it acted this block.
    bool whitewash(ProviderAgent& p, const Provider& prov) {
        const std::size_t me = p.actor();
        if (!p.exiting) {
            const auto rep = read([&](ApplyContext& ctx) { return Reputation(ctx).provider(actors_[me].address); });
            const std::uint32_t score =
                read([&](ApplyContext& ctx) { return Reputation(ctx).score(actors_[me].address); });
            if (rep.completed + rep.earlyCloses < 3 || score >= 400'000 || p.current + 1 >= p.identities.size())
                return false;
            p.exiting = true;
            submit(me, {MsgOfferRemove{1}});
            return true;
        }
        const bool bidsOpen =
            read([&](ApplyContext& ctx) { return ctx.store.contains(keys::providerBids(actors_[me].address)); });
        if (prov.openLeases != 0 || bidsOpen) return true;
        submit(me, {MsgProviderUnbond{prov.stake}});
        ++p.current;
        p.exiting = false;
        p.bidOn.clear();
        registerProvider(p);
        return true;
    }

    // Fill every open job's bid slots at the lowest price, in one tx of up to 64 bids.
    void squat(ProviderAgent& p, const Provider& prov) {
        const std::size_t me = p.actor();
        if (prov.openLeases != 0) return;  // its stake covers one lease at a time
        const std::uint64_t h = ledger_.block().height;
        std::vector<Msg> bids;
        for (const OpenJob& oj : openJobs_) {
            if (oj.biddingEnd <= h || p.bidOn.count(oj.id) != 0 || bids.size() == 64) continue;
            auto j = read([&](ApplyContext& ctx) { return Market(ctx).job(oj.id); });
            if (!j || j->state != JobState::Open || j->minReputation != 0) continue;
            const Amount price(j->resources.cpuMillicores * p.pricePerMillicore);
            if (j->openBids >= params_.maxBidsPerJob) {
                // A full job takes only a bid cheaper than its dearest.
                const bool dearer = read([&](ApplyContext& ctx) {
                    for (const Bytes& key : ctx.store.keysWithPrefix(keys::jobBidsPrefix(j->id)))
                        if (auto b = Market(ctx).bid(keys::u64At(key, 9)); b && b->pricePerSecond > price) return true;
                    return false;
                });
                if (!dearer) continue;
            }
            p.bidOn.insert(oj.id);
            bids.push_back(MsgBidPlace{oj.id, price, params_.minBidDeposit});
        }
        if (!bids.empty()) submit(me, std::move(bids));
    }

    std::uint32_t scoreOf(std::size_t actor) {
        return read([&](ApplyContext& ctx) { return Reputation(ctx).score(actors_[actor].address); });
    }

    // Providers a client can lease `need` from now: (actor, price).
    std::vector<std::pair<std::size_t, Amount>> offerCandidates(const Resources& need, Amount maxPrice) {
        std::vector<std::pair<std::size_t, Amount>> out;
        for (auto& p : providers_) {
            const std::size_t a = p.actor();
            if (!p.hasOffer) continue;
            read([&](ApplyContext& ctx) {
                Providers ps(ctx);
                auto prov = ps.get(actors_[a].address);
                auto offer = ps.offer(actors_[a].address, 1);
                if (!prov || !offer || ps.canTakeLease(*prov, need) != ResultCode::Ok) return 0;
                auto price = priceAtOffer(*offer, need);
                if (price && *price <= maxPrice) out.emplace_back(a, *price);
                return 0;
            });
        }
        return out;
    }

    void clientStep(ClientAgent& c, bool active) {
        const std::uint64_t h = ledger_.block().height;
        const std::uint64_t now = ledger_.block().time;
        // Leases: report the ones that stopped being served, settle the closed ones.
        std::erase_if(c.leases, [&](std::uint64_t id) {
            auto l = read([&](ApplyContext& ctx) { return Leases(ctx).get(id); });
            LeaseFate& f = fates_[id];
            if (l->state == LeaseState::Closed) {
                if (!l->settled) {
                    const std::uint8_t rating = f.fails ? 1 : static_cast<std::uint8_t>(c.rng.range(4, 5));
                    submit(c.actor, {MsgLeaseSettle{id, rating}});
                }
                return true;
            }
            if (f.fails && now >= f.detectTime) submit(c.actor, {MsgLeaseClose{id, CloseReason::ProviderFailed}});
            return false;
        });
        // Jobs whose bidding ends now: take the best-scored bid.
        std::erase_if(c.jobs, [&](std::uint64_t id) {
            auto j = read([&](ApplyContext& ctx) { return Market(ctx).job(id); });
            if (!j || j->state != JobState::Open) return true;
            if (j->biddingEndHeight != h) return false;
            acceptBest(c, *j);
            return true;
        });
        if (!active || c.leases.size() + c.jobs.size() >= 3 || !c.rng.chance(120'000)) return;
        const std::uint64_t cpu = 1'000 * (std::uint64_t{1} << c.rng.below(3));
        const Resources need = cpuMem(cpu, 2 * cpu);
        const std::uint64_t duration = c.rng.range(60, 600);
        const Amount maxPrice(kMaxPricePerMillicore * cpu);
        const Amount deposit = *maxPrice.checkedMul(duration);
        if (c.rng.chance(500'000)) {
            const std::uint32_t minRep = c.rng.chance(200'000) ? 300'000 : 0;
            const TxResult r =
                submit(c.actor, {MsgJobCreate{need, {}, maxPrice, duration, 3, minRep, deposit, Hash256{}}});
            for (const state::Event& e : r.events)
                if (e.type == "job_created") c.jobs.push_back(std::stoull(*e.attr("job_id")));
            return;
        }
        leaseFromBestOffer(c, need, duration, maxPrice);
    }

    void leaseFromBestOffer(ClientAgent& c, const Resources& need, std::uint64_t duration, Amount maxPrice) {
        auto cands = offerCandidates(need, maxPrice);
        if (cands.empty()) return;
        std::size_t pick = 0;
        if (c.rng.chance(kExplorePpm)) {
            pick = c.rng.below(cands.size());
        } else {
            std::uint32_t best = 0;
            for (std::size_t i = 0; i < cands.size(); ++i) {
                const std::uint32_t s = scoreOf(cands[i].first);
                if (i == 0 || s > best || (s == best && cands[i].second < cands[pick].second)) {
                    best = s;
                    pick = i;
                }
            }
        }
        const auto [who, price] = cands[pick];
        submit(c.actor, {MsgLeaseFromOffer{actors_[who].address, 1, need, duration, *price.checkedMul(duration),
                                           Hash256{}, maxPrice, offerVersion(who)}});
    }

    void acceptBest(ClientAgent& c, const Job& j) {
        const auto bids = read([&](ApplyContext& ctx) {
            std::vector<Bid> out;
            for (const Bytes& key : ctx.store.keysWithPrefix(keys::jobBidsPrefix(j.id)))
                if (auto b = Market(ctx).bid(keys::u64At(key, 9))) out.push_back(*b);
            return out;
        });
        std::optional<Bid> best;
        std::uint32_t bestScore = 0;
        for (const Bid& b : bids) {
            const std::uint32_t s = scoreOf(byAddress_.at(b.provider));
            if (!best || s > bestScore || (s == bestScore && b.pricePerSecond < best->pricePerSecond)) {
                best = b;
                bestScore = s;
            }
        }
        // Only unknown providers bid: try one now and then, else lease from an offer instead.
        if (best && (bestScore > 0 || c.rng.chance(kExplorePpm))) {
            submit(c.actor, {MsgBidAccept{best->id}});
            return;
        }
        submit(c.actor, {MsgJobCancel{j.id}});
        leaseFromBestOffer(c, j.resources, j.durationSeconds, j.maxPricePerSecond);
    }

    // The version of actor `who`'s offer as the ledger holds it (0: none), which
    // a lease_from_offer must name (decision 50).
    std::uint64_t offerVersion(std::size_t who, std::uint32_t offerId = 1) {
        const auto offer =
            read([&](ApplyContext& ctx) { return Providers(ctx).offerRecord(actors_[who].address, offerId); });
        return offer ? offer->version : 0;
    }

    // The wash trader's best response to money-weighted reputation (decision 55):
    // its sybils each buy a tiny, short lease that pays reputation_reference_paid
    // (one lease of weight) from a second offer priced for it, and settle it
    // rated 5: one new lease a block, each from a fresh sybil, so the 1/k
    // weight stays 1. Honest clients never take offer 2 (above their price).
    void washStep(bool active) {
        if (!on(Attack::WashTrade)) return;
        const std::size_t trader = providers_[washTrader_].actor();
        settleOwn(washSybils_, 5, false);
        if (!active || !registered(trader)) return;
        const std::uint64_t seconds = params_.reputationMinPaidSeconds + 2;
        const Amount price(params_.reputationReferencePaid.micro() / seconds + 1);
        if (offerVersion(trader, 2) == 0) {
            PriceSchedule prices;
            prices.perCpuMillicore = price;
            submit(trader, {MsgOfferSet{2, prices}});
            return;
        }
        // A client weighs only with standing (paid to other providers): the
        // sybils buy it from the coalition's second identity, which hands it
        // back less the take, and each then does several wash leases.
        const std::uint64_t needed = params_.reputationClientStanding.micro();
        const std::uint64_t perSybil = needed == 0 ? 1 : kWashLeasesPerStandingSybil;
        const std::size_t slot = static_cast<std::size_t>(washNext_ / perSybil);
        const std::size_t sybil = washSybils_[slot % washSybils_.size()];
        if (needed != 0) {
            buyStanding(washSybils_[(slot + 1) % washSybils_.size()], needed, washHelper_);  // the next one's, ahead
            if (!buyStanding(sybil, needed, washHelper_)) return;
        }
        submit(sybil, {MsgLeaseFromOffer{actors_[trader].address, 2, cpuMem(1, 0), seconds, *price.checkedMul(seconds),
                                         Hash256{}, price, offerVersion(trader, 2)}});
        ++washNext_;
    }

    // The sybil's standing is bought (a settled lease from the coalition's
    // provider `seller` that paid `needed`, from a second offer priced for it):
    // true once it counts; else starts or waits for it.
    bool buyStanding(std::size_t sybil, std::uint64_t needed, std::size_t seller) {
        const std::uint64_t paid =
            read([&](ApplyContext& ctx) { return Reputation(ctx).client(actors_[sybil].address).totalPaid.micro(); });
        if (paid >= needed) return true;
        if (standingBought_.count(sybil) != 0) return false;  // its lease runs or awaits settlement
        const std::size_t helper = providers_[seller].actor();
        if (!registered(helper)) return false;
        const std::uint64_t seconds = params_.reputationMinPaidSeconds + 2;
        const Amount price(needed / seconds + 1);
        if (offerVersion(helper, 2) == 0) {
            PriceSchedule prices;
            prices.perCpuMillicore = price;
            submit(helper, {MsgOfferSet{2, prices}});
            return false;
        }
        if (submit(sybil, {MsgLeaseFromOffer{actors_[helper].address, 2, cpuMem(1, 0), seconds,
                                             *price.checkedMul(seconds), Hash256{}, price, offerVersion(helper, 2)}})
                .ok())
            standingBought_.insert(sybil);
        return false;
    }

    // The griefers' best response to money-weighted reputation (decision 55):
    // every few blocks a sybil leases one cpu from the best-scored competitor
    // for long enough to pay it reputation_reference_paid (a report at a full
    // weight), reports provider_failed once it paid that much and rates 1.
    void griefStep(bool active) {
        if (!on(Attack::Grief)) return;
        settleOwn(griefSybils_, 1, true);
        const std::uint64_t h = ledger_.block().height;
        if (!active || h % kGriefEveryBlocks != 0) return;
        const std::size_t mine = providers_[griefProvider_].actor();
        std::size_t victim = kNone;
        std::uint32_t best = 0;
        for (auto& p : providers_) {
            const std::size_t a = p.actor();
            if (a == mine || !p.hasOffer || !registered(a)) continue;
            const std::uint32_t s = scoreOf(a);
            if (victim == kNone || s > best) {
                victim = a;
                best = s;
            }
        }
        if (victim == kNone) return;
        // With reputation_client_standing on, a sybil's report weighs only with
        // standing: each buys it from the griefers' own provider and reports
        // several times (the victim changes, so 1/k bites less).
        const std::uint64_t needed = params_.reputationClientStanding.micro();
        const std::uint64_t perSybil = needed == 0 ? 1 : kGriefsPerStandingSybil;
        const std::size_t slot = static_cast<std::size_t>(griefNext_ / perSybil);
        const std::size_t sybil = griefSybils_[slot % griefSybils_.size()];
        if (needed != 0) {
            buyStanding(griefSybils_[(slot + 1) % griefSybils_.size()], needed, griefProvider_);
            if (!buyStanding(sybil, needed, griefProvider_)) return;
        }
        const Resources oneCpu = cpuMem(1'000, 0);
        const bool fits = read([&](ApplyContext& ctx) {
            Providers ps(ctx);
            const auto prov = ps.get(actors_[victim].address);
            return prov && ps.canTakeLease(*prov, oneCpu) == ResultCode::Ok;
        });
        if (!fits) return;
        const auto offer = read([&](ApplyContext& ctx) { return Providers(ctx).offer(actors_[victim].address, 1); });
        if (!offer) return;
        const auto price = priceAtOffer(*offer, oneCpu);
        if (!price || price->isZero()) return;
        // Paid the reference after `toPay` seconds; a minute more so it is still running then.
        const std::uint64_t toPay = std::max<std::uint64_t>(
            params_.reputationMinPaidSeconds, params_.reputationReferencePaid.micro() / price->micro() + 1);
        const std::uint64_t seconds = toPay + 60;
        if (submit(sybil, {MsgLeaseFromOffer{actors_[victim].address, 1, oneCpu, seconds, *price->checkedMul(seconds),
                                             Hash256{}, *price, offerVersion(victim)}})
                .ok())
            ++griefNext_;
    }

    // What the client paid for lease `l` up to `now` (the accrual brought up to date).
    static std::uint64_t paidSoFar(Lease l, std::uint64_t now) {
        accrueTo(l, now);
        return l.paidOut.micro() + l.accrued.micro();
    }

    // Sybil clients: report (griefers) and settle their own leases.
    void settleOwn(const std::vector<std::size_t>& sybils, std::uint8_t rating, bool reportFailed) {
        const std::uint64_t now = ledger_.block().time;
        for (std::uint64_t id : sybilLeases_) {
            LeaseFate& f = fates_.at(id);
            if (f.handled || std::find(sybils.begin(), sybils.end(), f.client) == sybils.end()) continue;
            auto l = read([&](ApplyContext& ctx) { return Leases(ctx).get(id); });
            if (l->state == LeaseState::Closed) {
                if (!l->settled) submit(f.client, {MsgLeaseSettle{id, rating}});
                f.handled = true;
            } else if (reportFailed && now >= l->startTime + 1'000 * (params_.reputationMinPaidSeconds + 1) &&
                       paidSoFar(*l, now) >= params_.reputationReferencePaid.micro()) {
                // Paid enough for the report to weigh a whole lease.
                submit(f.client, {MsgLeaseClose{id, CloseReason::ProviderFailed}});
            }
        }
    }

    // 64 transfers of 1 uagr to fresh addresses a block: new account records for one flat fee.
    void spamStep(bool active) {
        if (!on(Attack::Spam) || !active) return;
        std::vector<Msg> sends;
        for (int i = 0; i < 64; ++i) {
            const Hash256 h =
                sha256(asBytes("spam/" + std::to_string(config_.seed) + "/" + std::to_string(spamNext_++)));
            std::array<std::uint8_t, 20> raw{};
            std::copy_n(h.bytes().begin(), 20, raw.begin());
            sends.push_back(MsgSend{Address(raw), Amount(1)});
        }
        if (submit(spammer_, std::move(sends)).ok()) {
            auto& c = report_.coalition[static_cast<std::size_t>(Attack::Spam)];
            c.stateRecordsAdded += 64;
            transfersOut_[static_cast<std::size_t>(Attack::Spam)] += 64;
        }
    }

    // ---- checks and figures ---------------------------------------------

    void checkBlock(std::uint64_t h, const Supply& before) {
        ++report_.invariantChecks;
        if (report_.invariantViolation) return;
        if (auto bad = checkInvariants(state_)) {
            report_.invariantViolation = "height " + std::to_string(h) + ": " + *bad;
            return;
        }
        const Supply after = read([](ApplyContext& ctx) { return Bank(ctx).supply(); });
        if (after.minted.micro() != before.minted.micro() + params_.blockReward.micro())
            report_.invariantViolation = "height " + std::to_string(h) + ": minted grew by " +
                                         std::to_string(after.minted.micro() - before.minted.micro()) +
                                         ", not the block reward";
        else if (after.burned.micro() != before.burned.micro() + burnedInEvents_)
            report_.invariantViolation = "height " + std::to_string(h) + ": burned grew by " +
                                         std::to_string(after.burned.micro() - before.burned.micro()) +
                                         ", the events announce " + std::to_string(burnedInEvents_);
    }

    void finish() {
        // Ranking: every provider that could take a lease at the end.
        std::vector<std::pair<std::uint32_t, std::size_t>> active;  // (score, actor)
        for (auto& p : providers_) {
            const std::size_t a = p.actor();
            const auto prov = read([&](ApplyContext& ctx) { return Providers(ctx).get(actors_[a].address); });
            if (!prov || prov->stake < params_.minProviderStake) continue;
            active.emplace_back(scoreOf(a), a);
        }
        for (auto& p : providers_) {
            for (std::size_t a : p.identities) {
                if (!registered(a)) continue;
                ProviderFigure f;
                f.name = actors_[a].name;
                f.honest = honestRole(actors_[a].role);
                f.active = std::any_of(active.begin(), active.end(), [&](const auto& e) { return e.second == a; });
                f.score = scoreOf(a);
                const auto rep = read([&](ApplyContext& ctx) { return Reputation(ctx).provider(actors_[a].address); });
                f.completed = rep.completed;
                f.earlyCloses = rep.earlyCloses;
                for (const auto& [id, fate] : fates_)
                    if (fate.provider == a && actors_[fate.client].role == Role::Client) ++f.leasesFromClients;
                report_.providers.push_back(f);
            }
        }
        // AUC: the share of (honest, dishonest) pairs the score orders right, ties half.
        const auto auc = [&](bool evidenceOnly, std::uint32_t& honestN, std::uint32_t& dishonestN) {
            std::vector<std::pair<std::uint32_t, bool>> ranked;  // (score, honest)
            for (const ProviderFigure& f : report_.providers)
                if (f.active && (!evidenceOnly || f.leasesFromClients > 0)) ranked.emplace_back(f.score, f.honest);
            std::uint64_t wins2 = 0, pairs = 0;
            for (const auto& [hs, h] : ranked) {
                if (!h) continue;
                for (const auto& [ds, d] : ranked) {
                    if (d) continue;
                    ++pairs;
                    wins2 += hs > ds ? 2 : hs == ds ? 1 : 0;
                }
            }
            honestN = 0;
            dishonestN = 0;
            for (const auto& [sc, h] : ranked) ++(h ? honestN : dishonestN);
            return pairs == 0 ? 0 : static_cast<std::uint32_t>(wins2 * 500'000 / pairs);
        };
        std::uint32_t ignoredH = 0, ignoredD = 0;
        report_.aucPpm = auc(true, report_.honestRanked, report_.dishonestRanked);
        report_.aucAllPpm = auc(false, ignoredH, ignoredD);
        for (const auto& [s, a] : active) {
            auto& c = actors_[a].coalition;
            if (c == kNoCoalition) continue;
            std::uint32_t rank = 1;
            for (const auto& [s2, a2] : active) rank += s2 > s ? 1 : 0;
            auto& best = report_.coalition[c].bestRank;
            if (best == 0 || rank < best) best = rank;
        }

        // Money: per lease, who paid whom; per coalition account, what it holds.
        read([&](ApplyContext& ctx) {
            for (const Bytes& key : ctx.store.keysWithPrefix(keys::one(keys::prefix::kLease))) {
                const auto l = ctx.store.load<Lease>(key);
                if (!l->settled) ++report_.unsettledAtEnd;
                const std::uint32_t cc = actors_[byAddress_.at(l->client)].coalition;
                const std::uint32_t pc = actors_[byAddress_.at(l->provider)].coalition;
                const std::uint64_t gross = l->paidOut.micro() + l->accrued.micro();
                const std::uint64_t net = gross - l->burned.micro();
                if (cc != kNoCoalition && cc == pc) {
                    report_.coalition[cc].takeOnOwnLeases += l->burned.micro();
                    continue;
                }
                if (pc != kNoCoalition) {
                    report_.coalition[pc].fromOutsiders += net;
                    // Seconds paid after the provider stopped serving.
                    const LeaseFate& f = fates_.at(l->id);
                    if (f.fails && l->paidThrough > f.failTime)
                        report_.coalition[pc].unservedPaid +=
                            (l->paidThrough - f.failTime) / kMsPerSecond * l->pricePerSecond.micro();
                }
                if (cc != kNoCoalition) report_.coalition[cc].toOutsiders += gross;
            }
            std::map<Address, std::uint64_t> held;
            for (const Actor& a : actors_) {
                if (a.coalition == kNoCoalition) continue;
                std::uint64_t v = Bank(ctx).balance(a.address).micro();
                if (auto p = Providers(ctx).get(a.address)) v += p->stake.micro();
                held[a.address] = v;
            }
            const auto add = [&](const Address& a, std::uint64_t v) {
                if (auto it = held.find(a); it != held.end()) it->second += v;
            };
            for (const Bytes& key : ctx.store.keysWithPrefix(keys::one(keys::prefix::kUnbondingQueue))) {
                const auto u = ctx.store.load<UnbondingEntry>(key);
                add(u->owner, u->amount.micro());
            }
            for (const Bytes& key : ctx.store.keysWithPrefix(keys::one(keys::prefix::kJob))) {
                const auto j = ctx.store.load<Job>(key);
                add(j->client, j->deposit.micro());
            }
            for (const Bytes& key : ctx.store.keysWithPrefix(keys::one(keys::prefix::kBid))) {
                const auto b = ctx.store.load<Bid>(key);
                if (b->state == BidState::Open) add(b->provider, b->deposit.micro());
            }
            for (const Bytes& key : ctx.store.keysWithPrefix(keys::one(keys::prefix::kLease))) {
                const auto l = ctx.store.load<Lease>(key);
                add(l->client, l->escrow.micro());
                add(l->provider, l->accrued.micro());
            }
            for (const Actor& a : actors_) {
                if (a.coalition == kNoCoalition) continue;
                report_.coalition[a.coalition].netWorth += held[a.address];
                report_.coalition[a.coalition].genesis += kFunding;
            }
            return 0;
        });
        for (std::size_t i = 0; i < 5; ++i) {
            CoalitionLedger& c = report_.coalition[i];
            c.toOutsiders += transfersOut_[i];
            // Everything the coalition holds came from genesis or from outsiders' leases,
            // less what it paid out: money neither appears nor disappears in its books.
            c.booksClose =
                c.netWorth + c.toOutsiders + c.takeOnOwnLeases + c.fees + c.slashed == c.genesis + c.fromOutsiders;
        }
    }

    MarketSimConfig config_;
    Params params_ = simParams();
    bool on_[5] = {};
    state::MemoryState state_;
    Ledger ledger_;
    test::TestKey validator_;
    std::vector<Actor> actors_;
    std::map<Address, std::size_t> byAddress_;
    std::vector<ProviderAgent> providers_;
    std::vector<ClientAgent> clients_;
    std::vector<std::size_t> washSybils_, griefSybils_;
    std::set<std::size_t> standingBought_;  // wash sybils whose standing lease was opened
    std::size_t spammer_ = 0, whitewasher_ = 0, washTrader_ = 0, washHelper_ = 0, griefProvider_ = 0;
    std::size_t washNext_ = 0, griefNext_ = 0, spamNext_ = 0;
    std::vector<OpenJob> openJobs_;
    std::map<std::uint64_t, LeaseFate> fates_;
    std::vector<std::uint64_t> sybilLeases_;
    std::uint64_t transfersOut_[5] = {};
    std::uint64_t burnedInEvents_ = 0;
    Rng worldRng_{0};
    RunReport report_;

public:
    // The chain's default parameters: the simulation judges the rules as shipped.
    static Params simParams() { return Params{}; }
};

}  // namespace

RunReport runMarket(const MarketSimConfig& config) {
    MarketRun run(config);
    return run.run();
}

bool SeedReport::invariantsHeld() const {
    return violations.empty();
}

SeedReport runSeed(MarketSimConfig config) {
    SeedReport out;
    out.seed = config.seed;
    const auto keep = [&](const RunReport& r, std::string_view name) {
        ++out.runs;
        out.invariantChecks += r.invariantChecks;
        if (r.invariantViolation) out.violations.push_back(std::string(name) + " run, " + *r.invariantViolation);
        for (Attack a : kAllAttacks)
            if (!r.coalition[static_cast<std::size_t>(a)].booksClose)
                out.violations.push_back(std::string(name) + " run: the books of " + std::string(attackName(a)) +
                                         " do not close");
    };
    config.attacks.clear();
    out.baseline = runMarket(config);
    keep(out.baseline, "baseline");
    config.attacks.assign(std::begin(kAllAttacks), std::end(kAllAttacks));
    out.full = runMarket(config);
    keep(out.full, "full");
    for (Attack a : kAllAttacks) {
        config.attacks = {a};
        const RunReport r = runMarket(config);
        keep(r, attackName(a));
        const auto i = static_cast<std::size_t>(a);
        const CoalitionLedger& A = r.coalition[i];
        const CoalitionLedger& B = out.baseline.coalition[i];
        const auto spent = [](const CoalitionLedger& c) {
            return static_cast<std::int64_t>(c.toOutsiders + c.takeOnOwnLeases + c.fees + c.slashed);
        };
        AttackFigures f;
        f.attack = a;
        f.gain = static_cast<std::int64_t>(A.fromOutsiders) - static_cast<std::int64_t>(B.fromOutsiders);
        f.cost = spent(A) - spent(B);
        f.net = static_cast<std::int64_t>(A.netWorth) - static_cast<std::int64_t>(B.netWorth);
        f.rankGain = (B.bestRank == 0 || A.bestRank == 0) ? 0 : static_cast<std::int64_t>(B.bestRank) - A.bestRank;
        f.unservedPaid = A.unservedPaid;
        f.stateRecordsAdded = A.stateRecordsAdded;
        f.accountingCloses = f.net == f.gain - f.cost;
        out.attacks.push_back(f);
    }
    return out;
}

std::string toJsonLine(const SeedReport& r) {
    nlohmann::ordered_json j;
    j["bench"] = "market_sim";
    j["seed"] = r.seed;
    j["invariants_held"] = r.invariantsHeld();
    if (!r.violations.empty()) j["violations"] = r.violations;
    j["runs"] = r.runs;
    j["blocks_per_run"] = r.full.blocks;
    j["invariant_checks"] = r.invariantChecks;
    j["txs"] = r.full.txs;
    j["txs_ok"] = r.full.txsOk;
    j["leases"] = r.full.leases;
    j["leases_failed"] = r.full.leasesFailed;
    j["unsettled_at_end"] = r.full.unsettledAtEnd;
    j["minted"] = r.full.minted;
    j["burned"] = r.full.burned;
    j["auc"] = static_cast<double>(r.full.aucPpm) / 1e6;
    j["auc_all_bonded"] = static_cast<double>(r.full.aucAllPpm) / 1e6;
    j["auc_baseline"] = static_cast<double>(r.baseline.aucPpm) / 1e6;
    j["honest_ranked"] = r.full.honestRanked;
    j["dishonest_ranked"] = r.full.dishonestRanked;
    nlohmann::ordered_json attacks = nlohmann::ordered_json::object();
    for (const AttackFigures& f : r.attacks) {
        nlohmann::ordered_json a;
        a["cost_uagr"] = f.cost;
        a["gain_uagr"] = f.gain;
        a["net_uagr"] = f.net;
        a["pays"] = f.pays();
        a["rank_gain"] = f.rankGain;
        a["unserved_paid_uagr"] = f.unservedPaid;
        if (f.attack == Attack::Spam) a["state_records_added"] = f.stateRecordsAdded;
        a["accounting_closes"] = f.accountingCloses;
        attacks[std::string(attackName(f.attack))] = a;
    }
    j["attacks"] = attacks;
    return j.dump();
}

}  // namespace agora::contracts::sim
