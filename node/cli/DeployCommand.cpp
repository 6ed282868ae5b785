// `agora deploy FILE`: from a manifest to a running workload in one command
// (docs/deploy.md). Each step waits on a condition with a deadline and says
// so on stderr; stdout carries only the result (and, with --follow in text
// mode, the workload's logs).
//
//   1. parse the manifest (nothing is sent when it does not parse)
//   2. job_create with its resources and hash, committed
//   3. collect bids (WatchBids) for --bid-wait seconds after the first one;
//      none -> job_cancel, deposit refunded, exit 1
//   4. bid_accept of the bid --select prefers, committed -> lease
//   5. SendManifest to the provider's gateway, retried while its agent catches up
//   6. LeaseStatus until running or finished; --follow streams the logs
//   7. once finished: wait for the on-chain close, lease_settle --rating
#include <CLI/CLI.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "agora/market/v1/market.grpc.pb.h"
#include "agora/query/v1/query.grpc.pb.h"
#include "consensus/core/ResultCode.h"
#include "node/cli/BidSelection.h"
#include "node/cli/ChainCommands.h"
#include "node/cli/CliError.h"
#include "node/cli/ClientSession.h"
#include "node/cli/DeployOptions.h"
#include "node/cli/GatewayClient.h"
#include "node/cli/ManifestFile.h"
#include "node/cli/WorkloadCommands.h"
#include "node/views/MarketViews.h"

namespace agora::node::cli {

namespace mk = agora::market::v1;
namespace gw = agora::provider::v1;
namespace q = agora::query::v1;
using Json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

std::uint64_t u64Of(const std::optional<std::string>& text, const std::string& what) {
    try {
        if (text && !text->empty() && text->find_first_not_of("0123456789") == std::string::npos)
            return std::stoull(*text);
    } catch (const std::exception&) {
    }
    throw CliError("node's result has no " + what);
}

long secondsLeft(Clock::time_point until) {
    return static_cast<long>(std::chrono::ceil<std::chrono::seconds>(until - Clock::now()).count());
}

// The job's bids as they arrive: the node's WatchBids stream, read on its own
// thread so the command can wait on a deadline. When the stream fails (an old
// node, a stream limit), the command falls back to polling QueryService.Bids.
class BidWatcher {
public:
    BidWatcher(const CliContext& ctx, std::uint64_t jobId) : stub_(mk::ClientService::NewStub(channel(ctx))) {
        mk::WatchBidsRequest req;
        req.set_job_id(jobId);
        reader_ = stub_->WatchBids(&context_, req);
        thread_ = std::thread([this] { run(); });
    }
    ~BidWatcher() {
        context_.TryCancel();
        thread_.join();
    }
    BidWatcher(const BidWatcher&) = delete;
    BidWatcher& operator=(const BidWatcher&) = delete;

    // The notices received so far, waiting until `until` for the first one.
    std::vector<mk::BidNotice> take(Clock::time_point until) {
        std::unique_lock lock(mutex_);
        arrived_.wait_until(lock, until, [&] { return !queue_.empty() || ended_; });
        std::vector<mk::BidNotice> out(queue_.begin(), queue_.end());
        queue_.clear();
        return out;
    }
    // Set once the stream ended (it does not end by itself while the node runs).
    std::optional<grpc::Status> ended() {
        std::lock_guard lock(mutex_);
        if (!ended_) return std::nullopt;
        return status_;
    }

private:
    void run() {
        mk::BidNotice n;
        while (reader_->Read(&n)) {
            std::lock_guard lock(mutex_);
            queue_.push_back(n);
            arrived_.notify_all();
        }
        auto s = reader_->Finish();
        std::lock_guard lock(mutex_);
        status_ = std::move(s);
        ended_ = true;
        arrived_.notify_all();
    }

    std::unique_ptr<mk::ClientService::Stub> stub_;
    grpc::ClientContext context_;
    std::unique_ptr<grpc::ClientReader<mk::BidNotice>> reader_;
    std::mutex mutex_;
    std::condition_variable arrived_;
    std::deque<mk::BidNotice> queue_;
    bool ended_ = false;
    grpc::Status status_;
    std::thread thread_;  // last: starts after everything it touches exists
};

// The open bids of a job, as notices (the polling fallback).
std::vector<mk::BidNotice> pollOpenBids(const CliContext& ctx, std::uint64_t jobId) {
    auto stub = q::QueryService::NewStub(channel(ctx));
    grpc::ClientContext c;
    deadline(c, 10);
    q::BidsRequest req;
    req.set_job_id(jobId);
    q::BidsResponse resp;
    std::vector<mk::BidNotice> out;
    if (!stub->Bids(&c, req, &resp).ok()) return out;
    for (const auto& record : resp.bids()) {
        auto b = fromProto(record);
        if (!b) continue;
        mk::BidNotice n;
        n.set_bid_id(b->id);
        n.set_job_id(jobId);
        n.set_provider(b->provider.toBech32());
        n.set_price_per_second(b->pricePerSecond.toString());
        n.set_status(b->state);
        out.push_back(std::move(n));
    }
    return out;
}

// What the command reports at the end, on success and on failure alike once a job exists.
struct DeployResult {
    std::uint64_t jobId = 0;
    std::uint64_t bidId = 0;
    std::uint64_t leaseId = 0;
    std::string provider;
    std::string price;  // uagr per second
    Json endpoints = Json::array();
    std::string state;  // gateway state last seen, or the job's / lease's
    std::string closeReason;
    std::optional<std::pair<std::string, std::string>> paid;  // paid_to_provider, refunded
    std::string error;

    Json toJson() const {
        Json j{{"job_id", jobId},
               {"bid_id", bidId},
               {"lease_id", leaseId},
               {"provider", provider},
               {"price", price},
               {"endpoints", endpoints},
               {"state", state},
               {"close_reason", closeReason},
               {"paid", paid ? Json{{"paid_to_provider", paid->first}, {"refunded", paid->second}} : Json()}};
        if (!error.empty()) j["error"] = error;
        return j;
    }
    void printText(std::ostream& out) const {
        out << "job_id: " << jobId << "\n";
        if (leaseId != 0) {
            out << "bid_id: " << bidId << "\nlease_id: " << leaseId << "\nprovider: " << provider
                << "\nprice_per_second: " << price << "\n";
        }
        out << "state: " << state << "\n";
        if (!closeReason.empty()) out << "close_reason: " << closeReason << "\n";
        for (const auto& e : endpoints)
            out << "endpoint: " << e["service"].get<std::string>() << " " << e["port"].get<std::uint32_t>() << " -> "
                << e["address"].get<std::string>() << "\n";
        if (paid) out << "paid_to_provider: " << paid->first << "\nrefunded: " << paid->second << "\n";
    }
};

class Deployment {
public:
    Deployment(CliContext& ctx, const DeployFlags& flags, DeployPlan plan, ManifestFile file, std::string gateway)
        : ctx_(ctx),
          flags_(flags),
          plan_(std::move(plan)),
          file_(std::move(file)),
          gatewayOverride_(std::move(gateway)),
          session_(ctx, flags.from, plan_.fee) {}

    void run() {
        postJob();
        try {
            const auto bids = collectBids();
            if (bids.empty()) noBids();
            accept(bids);
            sendManifest();
            const bool finished = waitForStart();
            if (plan_.follow || finished) {
                if (plan_.follow) followLogs();
                finish();
            } else {
                progress("workload running; logs: agora lease logs " + std::to_string(result_.leaseId) +
                         " --follow --from " + flags_.from);
            }
        } catch (const CliError& e) {
            result_.error = e.what();
            report();
            throw;
        }
        report();
        if (!result_.closeReason.empty() && result_.closeReason != "completed") {
            throw CliError("lease " + std::to_string(result_.leaseId) + " closed: " + result_.closeReason +
                           (gatewayMessage_.empty() ? "" : " (" + gatewayMessage_ + ")"));
        }
    }

private:
    void progress(const std::string& line) const { ctx_.err << line << "\n" << std::flush; }

    void report() const {
        if (ctx_.format() == OutputFormat::Json) {
            ctx_.out << result_.toJson().dump() << "\n";
        } else if (result_.error.empty()) {
            result_.printText(ctx_.out);
        }
        ctx_.out.flush();
    }

    void postJob() {
        const auto& r = file_.manifest.resources;
        progress("posting job: cpu " + std::to_string(r.cpuMillicores) + "m, memory " + std::to_string(r.memoryMib) +
                 " MiB, storage " + std::to_string(r.storageGib) + " GiB, max " + plan_.maxPricePerSecond.toString() +
                 " uagr/s for " + std::to_string(plan_.durationSeconds) + " s, manifest " + file_.hash.toHex());
        MsgJobCreate msg{file_.manifest.resources,  plan_.constraints,   plan_.maxPricePerSecond, plan_.durationSeconds,
                         plan_.biddingWindowBlocks, plan_.minReputation, plan_.deposit,           file_.hash};
        const auto resp = session_.commit(Msg(std::move(msg)), "job_create");
        result_.jobId = u64Of(eventAttribute(resp, "job_created", "job_id"), "job_created.job_id");
        biddingEnd_ = u64Of(eventAttribute(resp, "job_created", "bidding_end_height"), "bidding_end_height");
        result_.state = "open";
        progress("job " + std::to_string(result_.jobId) + " posted at height " + std::to_string(resp.height()) +
                 "; bids accepted until height " + std::to_string(biddingEnd_));
    }

    // Bids until --bid-wait seconds after the first one (or, with none, after
    // posting), or until the bidding window is about to close: the accept must
    // land in a block at or before bidding_end_height, when the job expires.
    std::vector<BidCandidate> collectBids() {
        BidWatcher watcher(ctx_, result_.jobId);
        std::map<std::uint64_t, BidCandidate> open;
        const auto posted = Clock::now();
        std::optional<Clock::time_point> firstBid;
        auto nextProgress = posted;
        bool polling = false;
        windowClosing_ = false;
        // The block interval, measured from posting on: a fast chain (a devnet
        // with timeout_commit of 100 ms) passes several blocks within one wait.
        const std::uint64_t postedHeight = session_.latestHeight();
        while (true) {
            const auto stopAt = firstBid ? *firstBid + std::chrono::seconds(plan_.bidWaitSeconds)
                                         : posted + std::chrono::seconds(plan_.firstBidWaitSeconds);
            const auto now = Clock::now();
            if (now >= stopAt) break;
            const std::uint64_t height = session_.latestHeight();
            if (windowClosesSoon(height, postedHeight, now - posted)) {
                windowClosing_ = true;
                progress("bidding window closes at height " + std::to_string(biddingEnd_));
                break;
            }
            if (now >= nextProgress) {
                progress((open.empty() ? "waiting for bids (" : "collecting bids (") +
                         std::to_string(secondsLeft(stopAt)) + " s left)...");
                nextProgress = now + 5s;
            }
            std::vector<mk::BidNotice> notices;
            if (!polling) {
                notices = watcher.take(std::min(stopAt, now + kBidPollStep));
                if (auto ended = watcher.ended(); ended && notices.empty()) {
                    progress("bid stream ended (" + std::string(grpcCodeName(ended->error_code())) + " " +
                             ended->error_message() + "); polling the node for bids");
                    polling = true;
                }
            } else {
                notices = pollOpenBids(ctx_, result_.jobId);
                std::set<std::uint64_t> seen;
                for (const auto& n : notices) seen.insert(n.bid_id());
                for (auto it = open.begin(); it != open.end();) {
                    if (!seen.contains(it->first)) {
                        progress("bid " + std::to_string(it->first) + " closed");
                        it = open.erase(it);
                    } else {
                        ++it;
                    }
                }
                sleepUntil(std::min(stopAt, Clock::now() + kBidPollStep));
            }
            for (const auto& n : notices) {
                if (n.status() != "open") {
                    if (open.erase(n.bid_id()) != 0)
                        progress("bid " + std::to_string(n.bid_id()) + " closed (" + n.status() + ")");
                    continue;
                }
                if (open.contains(n.bid_id())) continue;
                auto price = Amount::parse(n.price_per_second());
                if (!price) continue;
                BidCandidate c{n.bid_id(), n.provider(), *price, 0};
                const auto score = session_.reputationScore(n.provider());
                c.reputationScore = score.value_or(0);
                progress("bid " + std::to_string(c.bidId) + " from " + c.provider + " at " + price->toString() +
                         " uagr/s, reputation " + (score ? std::to_string(*score) + " ppm" : "unknown"));
                open.emplace(c.bidId, c);
                if (!firstBid) firstBid = Clock::now();
            }
        }
        std::vector<BidCandidate> out;
        for (auto& [id, c] : open) out.push_back(c);
        return out;
    }

    // One wait for bid notices; the window check runs between two of them.
    static constexpr std::chrono::milliseconds kBidPollStep{250};
    static constexpr std::uint64_t kMinRateWindowMs = 1'000;

    // True when the accept would no longer land by bidding_end_height: fewer
    // blocks are left than pass during one poll step plus the two blocks an
    // accept needs to commit (at the interval seen since the job was posted).
    bool windowClosesSoon(std::uint64_t height, std::uint64_t postedHeight, Clock::duration sincePosted) const {
        if (height >= biddingEnd_) return true;
        const auto elapsedMs =
            static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(sincePosted).count());
        std::uint64_t blocksPerStep = 1;
        if (height > postedHeight && elapsedMs > 0) {
            // The rate over at least kMinRateWindowMs: a chain that makes a block
            // as soon as a tx arrives makes two or three within milliseconds of
            // the post (the first bids), which is no sign of a fast chain; over a
            // few dozen ms they read as hundreds of blocks a second and the
            // window looked closed before the second bid could land.
            const std::uint64_t windowMs = std::max(elapsedMs, kMinRateWindowMs);
            const std::uint64_t perStepTimesElapsed =
                (height - postedHeight) * static_cast<std::uint64_t>(kBidPollStep.count());
            blocksPerStep = std::max<std::uint64_t>(1, (perStepTimesElapsed + windowMs - 1) / windowMs);
        }
        return height + 2 * blocksPerStep + 2 >= biddingEnd_;
    }

    [[noreturn]] void noBids() {
        const std::string within =
            windowClosing_ ? "within the bidding window (" + std::to_string(plan_.biddingWindowBlocks) + " blocks)"
                           : "within " + std::to_string(plan_.firstBidWaitSeconds) + " s";
        progress("no bids " + within + "; cancelling job " + std::to_string(result_.jobId));
        const auto resp = session_.commitAllowingFailure(Msg(MsgJobCancel{result_.jobId}));
        if (resp.code() == 0) {
            result_.state = "cancelled";
            const auto refunded = eventAttribute(resp, "job_cancelled", "refunded").value_or("?");
            throw CliError("no bids " + within + "; job " + std::to_string(result_.jobId) +
                           " cancelled, deposit refunded (" + refunded + " uagr)");
        }
        // The window may have closed first: the job then expired, which refunds too.
        const auto job = session_.job(result_.jobId);
        result_.state = job.state;
        if (result_.state == "expired")
            throw CliError("no bids " + within + "; job " + std::to_string(result_.jobId) +
                           " expired, deposit refunded");
        throw CliError("no bids " + within + "; job_cancel of job " + std::to_string(result_.jobId) +
                       " failed with code " + std::to_string(resp.code()) + ": " + resp.message() + " (job state " +
                       result_.state + ")");
    }

    void accept(std::vector<BidCandidate> bids) {
        while (!bids.empty()) {
            const std::size_t i = *selectBid(bids, plan_.policy);
            const BidCandidate chosen = bids[i];
            bids.erase(bids.begin() + static_cast<std::ptrdiff_t>(i));
            progress("accepting bid " + std::to_string(chosen.bidId) + " (" +
                     std::string(selectionPolicyName(plan_.policy)) + ")");
            const auto resp = session_.commitAllowingFailure(Msg(MsgBidAccept{chosen.bidId}));
            if (resp.code() == static_cast<std::uint32_t>(ResultCode::BidNotOpen) && !bids.empty()) {
                progress("bid " + std::to_string(chosen.bidId) + " is no longer open; trying the next");
                continue;
            }
            if (resp.code() != 0)
                throw CliError("bid_accept of bid " + std::to_string(chosen.bidId) + " failed with code " +
                               std::to_string(resp.code()) + ": " + resp.message());
            result_.bidId = chosen.bidId;
            result_.leaseId = u64Of(eventAttribute(resp, "bid_accepted", "lease_id"), "bid_accepted.lease_id");
            result_.provider = chosen.provider;
            result_.price = chosen.pricePerSecond.toString();
            result_.state = "leased";
            progress("lease " + std::to_string(result_.leaseId) + " won by " + result_.provider + " at " +
                     result_.price + " uagr/s");
            return;
        }
        throw CliError("every bid closed before it could be accepted");
    }

    std::string leaseHint() const {
        return "lease " + std::to_string(result_.leaseId) + " is open: retry with `agora lease send-manifest " +
               std::to_string(result_.leaseId) + " " + file_.path + " --from " + flags_.from +
               "`; without a manifest the provider closes it (manifest_timeout)";
    }

    void sendManifest() {
        std::string uri = gatewayOverride_;
        if (uri.empty()) uri = session_.provider(result_.provider).hostUri;
        auto target = parseHostUri(uri);
        if (!target) throw CliError(target.error() + "; " + leaseHint());
        gateway_ = std::make_unique<GatewayClient>(*target, session_.chainId(), session_.key());
        progress("sending manifest to " + gateway_->address());
        gw::SendManifestResponse resp;
        const auto s = sendManifestRetrying(
            *gateway_, result_.leaseId, file_.bytes, std::chrono::seconds(plan_.gatewayWaitSeconds),
            [this](const std::string& line) { progress(line); }, &resp);
        if (!s.ok()) {
            try {
                gatewayFailed(gateway_->address(), "SendManifest", s);
            } catch (const CliError& e) {
                throw CliError(std::string(e.what()) + "; " + leaseHint());
            }
        }
        if (!resp.manifest_hash().empty() && resp.manifest_hash() != file_.hash.toHex())
            throw CliError("gateway " + gateway_->address() + " acknowledged manifest hash " + resp.manifest_hash() +
                           ", expected " + file_.hash.toHex());
        result_.state = resp.state();
        progress("manifest accepted (" + resp.state() + ")");
    }

    // The period of a poll of a remote (node, gateway): nothing in this
    // process can signal the remote's progress.
    static void sleepUntil(Clock::time_point t) { std::this_thread::sleep_until(t); }

    static bool finishedState(const std::string& s) { return s == "succeeded" || s == "failed" || s == "closed"; }

    // LeaseStatus until the workload runs (false) or has already finished (true).
    bool waitForStart() {
        const auto until = Clock::now() + std::chrono::seconds(plan_.startTimeoutSeconds);
        std::string last = result_.state;
        while (true) {
            gw::LeaseStatusResponse st;
            const auto s = gateway_->leaseStatus(result_.leaseId, &st);
            if (s.ok()) {
                if (st.state() != last) {
                    progress(st.state() + (st.message().empty() ? "" : ": " + st.message()));
                    last = st.state();
                }
                result_.state = st.state();
                gatewayMessage_ = st.message();
                if (st.state() == "running") {
                    result_.endpoints = endpointsJson(st);
                    for (const auto& e : st.endpoints()) progress("  " + endpointLine(e));
                    return false;
                }
                if (finishedState(st.state())) {
                    result_.endpoints = endpointsJson(st);
                    return true;
                }
            } else if (!gatewayRetryable(s)) {
                gatewayFailed(gateway_->address(), "LeaseStatus", s);
            } else if (session_.lease(result_.leaseId).state == "closed") {
                // An agent may forget a lease once it is closed; the chain still says how it ended.
                progress("lease closed on chain (gateway: " + std::string(grpcCodeName(s.error_code())) + ")");
                return true;
            }
            if (Clock::now() >= until)
                throw CliError("lease " + std::to_string(result_.leaseId) + " not running after " +
                               std::to_string(plan_.startTimeoutSeconds) + " s (state " + last + ")");
            sleepUntil(Clock::now() + 1s);
        }
    }

    void followLogs() {
        // -o json keeps stdout for the one result object: the logs go to stderr.
        std::ostream& sink = ctx_.format() == OutputFormat::Json ? ctx_.err : ctx_.out;
        const auto s = gateway_->leaseLogs(result_.leaseId, "", 0, true, [&](const gw::LogChunk& c) {
            sink.write(c.data().data(), static_cast<std::streamsize>(c.data().size()));
            sink.flush();
        });
        if (!s.ok()) gatewayFailed(gateway_->address(), "LeaseLogs", s);
        progress("log stream ended");
    }

    // The workload is over: wait for the agent's close on chain, then settle.
    void finish() {
        const auto id = result_.leaseId;
        const auto until = Clock::now() + std::chrono::seconds(plan_.closeTimeoutSeconds);
        progress("waiting for lease " + std::to_string(id) + " to close on chain...");
        LeaseView lease;
        while (true) {
            lease = session_.lease(id);
            if (lease.state == "closed") break;
            if (Clock::now() >= until)
                throw CliError("lease " + std::to_string(id) + " not closed on chain after " +
                               std::to_string(plan_.closeTimeoutSeconds) + " s (state " + lease.state +
                               "); close it with `agora tx lease close " + std::to_string(id) + " --from " +
                               flags_.from + "`");
            sleepUntil(Clock::now() + 1s);
        }
        result_.closeReason = lease.closeReason;
        // The gateway's last word says why (e.g. which service exited how); best effort.
        gw::LeaseStatusResponse st;
        if (gateway_->leaseStatus(id, &st).ok()) {
            result_.state = st.state();
            if (!st.message().empty()) gatewayMessage_ = st.message();
        }
        if (!finishedState(result_.state)) result_.state = "closed";
        progress("lease " + std::to_string(id) + " closed: " + result_.closeReason);
        if (!plan_.settle || lease.settled) return;
        const auto resp = session_.commit(Msg(MsgLeaseSettle{id, plan_.rating}), "lease_settle");
        result_.paid = {eventAttribute(resp, "lease_settled", "paid_to_provider").value_or(""),
                        eventAttribute(resp, "lease_settled", "refunded").value_or("")};
        progress("settled with rating " + std::to_string(plan_.rating) + ": paid " + result_.paid->first +
                 " uagr to the provider, refunded " + result_.paid->second + " uagr");
    }

    CliContext& ctx_;
    const DeployFlags& flags_;
    DeployPlan plan_;
    ManifestFile file_;
    std::string gatewayOverride_;
    ClientSession session_;
    DeployResult result_;
    std::uint64_t biddingEnd_ = 0;
    bool windowClosing_ = false;
    std::unique_ptr<GatewayClient> gateway_;
    std::string gatewayMessage_;
};

}  // namespace

void registerDeployCommand(CLI::App& root, CliContext& ctx) {
    auto f = std::make_shared<DeployFlags>();
    auto gateway = std::make_shared<std::string>();
    auto* c = root.add_subcommand("deploy", "Run a manifest's workload: post a job, take a bid, send the manifest");
    c->fallthrough();  // global flags (-o, --node, ...) after the command's own
    c->add_option("file", f->file, "manifest file (YAML or JSON, docs/manifest.md)")->required();
    c->add_option("--from", f->from, "client key that pays, signs and talks to the gateway")->envname("AGORA_FROM");
    c->add_option("--duration", f->durationSeconds, "lease duration in seconds of block time")->required();
    c->add_option("--max-price", f->maxPrice, "highest price per second you accept (uagr or e.g. 0.001agr)")
        ->required();
    c->add_option("--deposit", f->deposit, "escrow deposit, at least max price x duration")->required();
    c->add_option("--fees", f->fees, "fee of each tx")->envname("AGORA_FEES")->capture_default_str();
    c->add_option("--select", f->select, "which bid to accept: cheapest or reputation")
        ->check(CLI::IsMember({"cheapest", "reputation"}))
        ->capture_default_str();
    c->add_option("--bid-wait", f->bidWaitSeconds,
                  "seconds to wait for a first bid, then to keep collecting bids after it")
        ->capture_default_str();
    c->add_option("--first-bid-wait", f->firstBidWaitSeconds,
                  "seconds to wait for a first bid when that should differ from --bid-wait (0 = --bid-wait)");
    c->add_option("--bidding-window", f->biddingWindowBlocks, "blocks during which providers may bid")
        ->capture_default_str();
    c->add_option("--constraint", f->constraints, "required provider attribute KEY=VALUE (repeatable)");
    c->add_option("--min-reputation", f->minReputation, "minimum provider score in ppm (0 = any)");
    c->add_flag("--follow", f->follow, "stream the workload's logs, then wait for the close and settle");
    c->add_option("--rating", f->rating, "rating given when settling (1..5)")->capture_default_str();
    c->add_flag("--no-settle", f->noSettle, "do not settle the closed lease");
    c->add_option("--gateway", *gateway, "gateway address to use instead of the provider's host_uri");
    c->add_option("--gateway-wait", f->gatewayWaitSeconds, "seconds to retry SendManifest while the agent catches up")
        ->capture_default_str();
    c->add_option("--start-timeout", f->startTimeoutSeconds, "seconds until the workload runs or ends")
        ->capture_default_str();
    c->add_option("--close-timeout", f->closeTimeoutSeconds, "seconds until the finished lease closes on chain")
        ->capture_default_str();
    c->callback([&ctx, f, gateway] {
        // Everything local first: a bad file or flag sends nothing.
        ManifestFile file = readManifestFile(f->file);
        auto plan = planDeploy(*f);
        if (!plan) throw CliError(plan.error());
        Deployment d(ctx, *f, std::move(*plan), std::move(file), *gateway);
        d.run();
    });
}

}  // namespace agora::node::cli
