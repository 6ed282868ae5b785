#include "node/provider/ProviderAgent.h"
#include "node/base/ThreadFailure.h"

#include "consensus/core/Messages.h"
#include "node/base/Logging.h"
#include "node/provider/AgentStore.h"
#include "node/provider/BidEngine.h"
#include "node/provider/ChainClient.h"
#include "node/provider/GatewayServer.h"
#include "node/provider/LeaseManager.h"
#include "node/provider/PricePolicy.h"
#include "node/provider/RuntimeFactory.h"
#include "node/provider/TxSender.h"
#include "node/views/GovViews.h"
#include "wallet/Keyring.h"

namespace agora::provider {

using nlohmann::json;

namespace {
auto log() {
    return node::moduleLog("provider");
}

// A parameter's value from the typed ParamsResponse (zero when absent).
Amount paramAmount(const node::ParamsView& params, std::string_view name) {
    for (const auto& p : params)
        if (p.name == name) return Amount::parse(p.value).value_or(Amount{});
    return Amount{};
}

PriceSchedule offerRates(const ProviderConfig& c) {
    PriceSchedule p;
    p.perCpuMillicore = c.pricePerCpuMillicore;
    p.perMemoryMib = c.pricePerMemoryMib;
    p.perStorageGib = c.pricePerStorageGib;
    return p;
}
}  // namespace

struct ProviderAgent::View {
    std::mutex mutex;
    ProviderView provider;
    bool have = false;
    std::uint64_t height = 0;
};

ProviderAgent::ProviderAgent(AgentOptions options) : options_(std::move(options)), view_(std::make_unique<View>()) {}

ProviderAgent::~ProviderAgent() {
    requestStop();
    if (jobsThread_.joinable()) jobsThread_.join();
    if (leasesThread_.joinable()) leasesThread_.join();
    if (gateway_) gateway_->stop();
}

void ProviderAgent::requestStop() {
    {
        std::lock_guard lock(stopMutex_);
        stop_ = true;
    }
    stopCv_.notify_all();
    if (chain_) chain_->cancelStreams();
}

bool ProviderAgent::waitFor(std::chrono::milliseconds d) {
    std::unique_lock lock(stopMutex_);
    return !stopCv_.wait_for(lock, d, [&] { return stop_.load(); });
}

Expected<void, std::string> ProviderAgent::start() {
    const ProviderConfig& c = options_.config;
    chain_ = std::make_unique<ChainClient>(c.node);
    // The node may still be starting: wait for it a while.
    Expected<agora::query::v1::StatusResponse, std::string> status = Unexpected(std::string("not asked"));
    for (int i = 0; i < 100 && !stop_; ++i) {
        status = chain_->status();
        if (status) break;
        waitFor(std::chrono::milliseconds(200));
    }
    if (!status) return Unexpected("node " + c.node + " unreachable: " + status.error());
    chainId_ = status->chain_id();
    if (!c.chainId.empty() && c.chainId != chainId_)
        return Unexpected("node " + c.node + " serves chain " + chainId_ + ", provider.toml says " + c.chainId);

    wallet::Keyring ring(c.keyringDir.empty() ? wallet::Keyring::defaultDir() : std::filesystem::path(c.keyringDir));
    auto material = ring.unlock(c.keyName, options_.passphrase);
    if (!material) return Unexpected("key " + c.keyName + ": " + material.error().message());
    tx_ = std::make_unique<TxSender>(*chain_, wallet::TxSigner(std::move(material->key)), chainId_, c.fee);

    auto store = AgentStore::open(options_.home / "data" / "agent");
    if (!store) return Unexpected(store.error());
    store_ = std::move(*store);

    if (!options_.runtime) {
        auto rt = makeRuntime(c, options_.home, options_.shimCommand);
        if (!rt) return Unexpected(rt.error());
        options_.runtime = std::move(*rt);
    }
    prices_ = std::make_unique<PricePolicy>(offerRates(c), c.marginBps, c.priceScript, c.priceScriptTimeoutMs);
    bids_ = std::make_unique<BidEngine>(c, *chain_, *tx_, *store_, *prices_);
    leases_ = std::make_unique<LeaseManager>(c, *chain_, *tx_, *store_, *options_.runtime);

    registerOrReconcile();
    if (stop_) return {};
    const std::uint64_t height = chain_->status().valueOr(*status).latest_height();
    leases_->recover(height);
    leases_->reconcile(height);

    gateway_ = std::make_unique<GatewayServer>(c, chainId_, *leases_, *options_.runtime);
    if (auto g = gateway_->start(); !g) return Unexpected(g.error());
    log()->info("agora-provider {} on chain {}: gateway on {} (host_uri {}), runtime {}", tx_->address().toBech32(),
                chainId_, c.gatewayListen, c.effectiveHostUri(), options_.runtime->name());
    jobsThread_ = std::thread([this] { node::runGuarded("provider-jobs", [this] { followJobs(); }); });
    leasesThread_ = std::thread([this] { node::runGuarded("provider-leases", [this] { followLeases(); }); });
    return {};
}

Resources ProviderAgent::advertisedCapacity() {
    Resources capacity = options_.config.capacity;
    // Never advertise more than the runtime can give.
    const Resources host = options_.runtime->capacity();
    capacity.cpuMillicores = std::min(capacity.cpuMillicores, host.cpuMillicores);
    capacity.memoryMib = std::min(capacity.memoryMib, host.memoryMib);
    capacity.storageGib = std::min(capacity.storageGib, host.storageGib);
    return capacity;
}

void ProviderAgent::refreshCapacity() {
    Resources want = advertisedCapacity();
    ProviderView v;
    {
        std::lock_guard lock(view_->mutex);
        if (!view_->have) return;
        v = view_->provider;
    }
    // The chain refuses a capacity below what open leases reserve; those
    // leases keep running on what they hold.
    want.cpuMillicores = std::max(want.cpuMillicores, v.reserved.cpuMillicores);
    want.memoryMib = std::max(want.memoryMib, v.reserved.memoryMib);
    want.storageGib = std::max(want.storageGib, v.reserved.storageGib);
    if (want.cpuMillicores == v.capacity.cpuMillicores && want.memoryMib == v.capacity.memoryMib &&
        want.storageGib == v.capacity.storageGib) {
        return;
    }
    want.gpus = v.capacity.gpus;
    MsgProviderUpdate u;
    u.capacity = want;
    const SendResult r = tx_->send({u}, "agora-provider");
    log()->info("runtime capacity changed: updating the provider record to {}m cpu, {} MiB, {} GiB{}",
                want.cpuMillicores, want.memoryMib, want.storageGib,
                r.admitted ? "" : " (refused: " + std::to_string(r.code) + " " + r.message + ")");
}

void ProviderAgent::registerOrReconcile() {
    const ProviderConfig& c = options_.config;
    const Resources capacity = advertisedCapacity();

    for (int attempt = 0; !stop_; ++attempt) {
        auto p = chain_->provider(tx_->address());
        if (!p) {
            log()->warn("registration: {}", p.error());
            waitFor(std::chrono::seconds(1));
            continue;
        }
        std::vector<Msg> msgs;
        if (!*p) {
            msgs.push_back(MsgProviderRegister{c.effectiveHostUri(), c.attributes, capacity, c.stake});
            msgs.push_back(MsgOfferSet{1, offerRates(c)});
            log()->info("registering provider {} (stake {}, host_uri {})", tx_->address().toBech32(),
                        c.stake.toString(), c.effectiveHostUri());
        } else {
            const node::ProviderView& rec = **p;
            MsgProviderUpdate u;
            bool change = false;
            if (rec.hostUri != c.effectiveHostUri()) {
                u.hostUri = c.effectiveHostUri();
                change = true;
            }
            if (rec.attributes != c.attributes) {
                u.attributes = c.attributes;
                change = true;
            }
            if (rec.capacity != capacity) {
                u.capacity = capacity;
                change = true;
            }
            if (change) {
                msgs.push_back(u);
                log()->info("provider record differs from provider.toml: updating");
            }
            bool offerMatches = false;
            for (const auto& o : rec.offers) {
                if (o.offerId != 1) continue;
                offerMatches = o.prices.perCpuMillicore == c.pricePerCpuMillicore &&
                               o.prices.perMemoryMib == c.pricePerMemoryMib &&
                               o.prices.perStorageGib == c.pricePerStorageGib;
            }
            if (!offerMatches) msgs.push_back(MsgOfferSet{1, offerRates(c)});
        }
        if (msgs.empty()) return;
        const SendResult r = tx_->send(msgs, "agora-provider");
        if (!r.admitted) {
            log()->error("registration tx refused ({}: {}); retrying", r.code, r.message);
            waitFor(std::chrono::seconds(2));
            continue;
        }
        // Wait for it to be committed, then check again (it converges or retries).
        for (int i = 0; i < 100 && !stop_; ++i) {
            waitFor(std::chrono::milliseconds(200));
            auto acc = chain_->account(tx_->address());
            if (acc && acc->next_nonce() >= acc->pending_nonce()) break;
        }
        if (attempt > 20) {
            log()->error("provider record does not converge to provider.toml; going on with what the chain has");
            return;
        }
    }
}

void ProviderAgent::followJobs() {
    while (!stop_) {
        const std::string why =
            chain_->watchJobs(tx_->address(), 0, [&](const agora::market::v1::JobNotice& n) { bids_->enqueue(n); });
        if (stop_) return;
        log()->warn("WatchJobs ended ({}); reconnecting with a fresh listing of open jobs", why);
        waitFor(std::chrono::milliseconds(500));
    }
}

void ProviderAgent::followLeases() {
    while (!stop_) {
        const std::string why = chain_->subscribe({"lease_created"}, {{"provider", tx_->address().toBech32()}},
                                                  [&](const agora::types::v1::Event& e) {
                                                      for (const auto& a : e.attributes())
                                                          if (a.key() == "lease_id")
                                                              leases_->noteLease(std::stoull(a.value()));
                                                  });
        if (stop_) return;
        // Missed events are caught by the next reconcile listing.
        log()->warn("lease event stream ended ({}); reconnecting", why);
        waitFor(std::chrono::milliseconds(500));
    }
}

bool ProviderAgent::refreshView(std::uint64_t height) {
    auto p = chain_->provider(tx_->address());
    if (!p || !*p) return false;
    const node::ProviderView& rec = **p;
    ProviderView v;
    v.capacity = rec.capacity;
    v.reserved = rec.reserved;
    v.attributes = rec.attributes;
    v.stake = rec.stake;
    v.openLeases = rec.openLeases;
    static thread_local Amount minStake;
    static thread_local Amount perLease;
    static thread_local std::uint64_t paramsAt = 0;
    if (paramsAt == 0 || height >= paramsAt + 100) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        // Params change only through governance; re-read now and then.
        auto stub = agora::query::v1::QueryService::NewStub(
            grpc::CreateChannel(options_.config.node, grpc::InsecureChannelCredentials()));
        agora::query::v1::ParamsResponse resp;
        if (stub->Params(&ctx, agora::query::v1::ParamsRequest{}, &resp).ok()) {
            if (const auto params = node::fromProto(resp.params())) {
                minStake = paramAmount(*params, "min_provider_stake");
                perLease = paramAmount(*params, "provider_stake_per_lease");
                paramsAt = height;
            }
        }
    }
    v.minProviderStake = minStake;
    v.stakePerLease = perLease;
    std::lock_guard lock(view_->mutex);
    view_->provider = v;
    view_->have = true;
    view_->height = height;
    return true;
}

void ProviderAgent::run() {
    const ProviderConfig& c = options_.config;
    std::uint64_t last = 0;
    std::uint64_t lastReconcile = 0;
    while (!stop_) {
        auto st = chain_->status();
        if (st && st->latest_height() > last) {
            const std::uint64_t h = st->latest_height();
            last = h;
            tx_->onBlock();
            refreshView(h);
            leases_->onBlock(h);
            if (h >= lastReconcile + c.reconcileIntervalBlocks) {
                lastReconcile = h;
                leases_->reconcile(h);
                refreshCapacity();
                ProviderView v;
                {
                    std::lock_guard lock(view_->mutex);
                    v = view_->provider;
                }
                bids_->reconcile(h, v);
                const auto ls = leases_->stats();
                const auto bs = bids_->stats();
                log()->info("height {}: {} leases ({} running), {} open bids; jobs seen {}, bids {}, skipped {}", h,
                            ls.tracked, ls.running, bids_->openBidCount(), bs.seen, bs.bids, bs.skipped);
            }
        }
        bool haveView = false;
        ProviderView v;
        std::uint64_t vh = 0;
        {
            std::lock_guard lock(view_->mutex);
            haveView = view_->have;
            v = view_->provider;
            vh = view_->height;
        }
        if (haveView) bids_->processQueue(vh, v);
        waitFor(std::chrono::milliseconds(50));
    }
}

}  // namespace agora::provider
