#pragma once
// market: jobs with escrowed deposits, bids with anti-spam deposits,
// acceptance into a lease, "lease now" from a standing offer, and the
// bidding-window expiry of unaccepted jobs.

#include <cstdint>
#include <optional>
#include <vector>

#include "consensus/core/Address.h"
#include "consensus/core/MarketTypes.h"
#include "consensus/core/Messages.h"
#include "contracts/ApplyContext.h"

namespace agora::contracts {

enum class JobState : std::uint8_t { Open = 0, Leased = 1, Cancelled = 2, Expired = 3 };
enum class BidState : std::uint8_t { Open = 0, Accepted = 1, Lost = 2, Withdrawn = 3 };
std::string_view jobStateName(JobState s);
std::string_view bidStateName(BidState s);

struct Job {
    std::uint64_t id = 0;
    Address client;
    Resources resources;
    std::vector<Attribute> constraints;
    Amount maxPricePerSecond;
    std::uint64_t durationSeconds = 0;
    std::uint64_t biddingEndHeight = 0;  // last height at which bids are taken
    std::uint32_t minReputation = 0;
    Amount deposit;  // in escrow while Open
    JobState state = JobState::Open;
    std::uint32_t openBids = 0;
    std::uint64_t leaseId = 0;
    Hash256 manifestHash;  // zero = none; passed on to the lease

    void encodeTo(Writer& w) const;
    static Job decodeFrom(Reader& r);
    bool operator==(const Job&) const = default;
};

struct Bid {
    std::uint64_t id = 0;
    std::uint64_t jobId = 0;
    Address provider;
    Amount pricePerSecond;
    Amount deposit;  // held while Open
    BidState state = BidState::Open;
    std::uint64_t createdHeight = 0;

    void encodeTo(Writer& w) const;
    static Bid decodeFrom(Reader& r);
    bool operator==(const Bid&) const = default;
};

// Price per block of `resources` at a standing offer; nullopt-like codes on
// overflow or a GPU model the offer does not price.
Expected<Amount, ResultCode> priceAtOffer(const PriceSchedule& prices, const Resources& resources);

class Market {
public:
    explicit Market(ApplyContext& ctx) : ctx_(ctx) {}

    std::optional<Job> job(std::uint64_t id) const;
    std::optional<Bid> bid(std::uint64_t id) const;

    ResultCode createJob(const Address& client, const MsgJobCreate& msg);
    ResultCode cancelJob(const Address& client, const MsgJobCancel& msg);
    ResultCode placeBid(const Address& provider, const MsgBidPlace& msg);
    ResultCode withdrawBid(const Address& provider, const MsgBidWithdraw& msg);
    ResultCode acceptBid(const Address& client, const MsgBidAccept& msg);
    ResultCode leaseFromOffer(const Address& client, const MsgLeaseFromOffer& msg);

    // End of block: jobs whose bidding window ended at this height close with refunds.
    ResultCode expireJobs();
    // End of block: erases the jobs that ended without a lease
    // record_retention_blocks ago.
    void pruneDue();
    // Erases an ended job's record and its client index entry (its bids stay).
    void eraseJob(std::uint64_t jobId);

private:
    // The open bid a cheaper one displaces from a full job: highest price, newest on ties.
    std::optional<Bid> dearestOpenBid(const Job& j) const;
    // Closes every open bid of the job except `keep`, refunding deposits.
    ResultCode closeOpenBids(Job& j, std::uint64_t keep);
    ResultCode closeBid(Job& j, Bid& b, BidState to);
    ResultCode refundJob(Job& j, JobState to);
    ApplyContext& ctx_;
};

}  // namespace agora::contracts
