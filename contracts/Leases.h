#pragma once
// leases and escrow. Each lease holds its own escrow. Payment accrues at the
// lease price per block but is computed only when the lease is touched
// (top-up, withdraw, close, settle, or its due height), never per lease per
// block. Each open lease sits in exactly one height index:
//
//   due index    at min(end height, height at which escrow runs dry):
//                 end reached -> closed (completed); else -> insufficient_funds
//   grace index  at (dry height + grace_seconds): still insufficient -> closed
//
// At a dry-out, a client's auto top-up allowance (0x44) is pulled first.
//
// so end-of-block work is O(leases due at that height).
//
// Money conservation per lease: deposited = escrow + accrued + paid_out + refunded.
// Of paid_out, `burned` (lease_take_rate_ppm of each payment, rounded up) was
// burned as the protocol's take; the provider received paid_out - burned.

#include <cstdint>
#include <optional>

#include "consensus/core/Address.h"
#include "consensus/core/Hash256.h"
#include "consensus/core/MarketTypes.h"
#include "consensus/core/Messages.h"
#include "contracts/ApplyContext.h"

namespace agora::contracts {

enum class LeaseState : std::uint8_t { Active = 0, InsufficientFunds = 1, Closed = 2 };
std::string_view leaseStateName(LeaseState s);
std::string_view closeReasonName(CloseReason r);

struct Lease {
    std::uint64_t id = 0;
    Address client;
    Address provider;
    std::uint64_t jobId = 0;  // 0 when leased from an offer
    Resources resources;
    Amount pricePerSecond;
    std::uint64_t startHeight = 0;  // the block that opened it
    std::uint64_t startTime = 0;    // that block's time (ms): the lease's clock starts here
    std::uint64_t endTime = 0;      // start_time + duration_seconds x 1000 (ms)
    std::uint64_t paidThrough = 0;  // block time (ms) paid up to: start_time + whole seconds
    Amount escrow;                  // not yet accrued
    Amount accrued;                 // owed to the provider, not yet withdrawn
    Amount paidOut;                 // paid out of the lease to the provider side (gross)
    Amount burned;                  // of paid_out: the protocol's take, burned
    Amount refunded;                // returned to the client
    Amount deposited;               // everything the client put in
    LeaseState state = LeaseState::Active;
    std::uint64_t dueTime = 0;    // key in the due index (Active), ms
    std::uint64_t graceTime = 0;  // key in the grace index (InsufficientFunds), ms; nonzero once graced
    std::uint64_t closeHeight = 0;
    std::uint64_t closeTime = 0;  // that block's time (ms): accrual stopped at it
    CloseReason closeReason = CloseReason::Completed;
    bool settled = false;
    std::uint8_t rating = 0;
    Hash256 manifestHash;  // the workload manifest the provider must run; zero = none

    void encodeTo(Writer& w) const;
    static Lease decodeFrom(Reader& r);
    bool operator==(const Lease&) const = default;
};

struct UsageRecord {
    std::uint64_t upToHeight = 0;
    std::uint32_t availabilityBps = 0;
    Hash256 metricsHash;
    std::uint64_t reportedAt = 0;
    void encodeTo(Writer& w) const;
    static UsageRecord decodeFrom(Reader& r);
};

// A client's standing allowance for one lease (key 0x44), erased when the
// lease closes or the allowance is used up.
struct AutoTopUp {
    Amount perTopUp;   // pulled at each dry-out (less when the rest or the balance is smaller)
    Amount remaining;  // of the cap, still to pull
    Amount pulled;     // pulled so far under this allowance

    void encodeTo(Writer& w) const;
    static AutoTopUp decodeFrom(Reader& r);
    bool operator==(const AutoTopUp&) const = default;
};

// The height at which a record that ends now is erased (saturating).
std::uint64_t pruneHeight(const ApplyContext& ctx);

class Leases {
public:
    explicit Leases(ApplyContext& ctx) : ctx_(ctx) {}

    std::optional<Lease> get(std::uint64_t id) const;

    // Opens a lease; the deposit must already be out of the client's balance
    // and capacity already reserved. Returns the new id.
    std::uint64_t open(const Address& client, const Address& provider, std::uint64_t jobId, const Resources& resources,
                       Amount pricePerSecond, std::uint64_t durationSeconds, Amount deposit,
                       const Hash256& manifestHash);

    ResultCode topUp(const Address& signer, const MsgLeaseTopUp& msg);
    ResultCode setAutoTopUp(const Address& signer, const MsgLeaseSetAutoTopUp& msg);
    std::optional<AutoTopUp> autoTopUp(std::uint64_t leaseId) const;
    ResultCode withdraw(const Address& signer, const MsgProviderWithdraw& msg);
    ResultCode close(const Address& signer, const MsgLeaseClose& msg);
    ResultCode settle(const Address& signer, const MsgLeaseSettle& msg);
    ResultCode usageReport(const Address& signer, const MsgUsageReport& msg);

    // End of block: leases due by this block's time, then grace expiries by
    // it, each in (time, id) order.
    ResultCode processDue();
    // End of block: erases the leases settled record_retention_blocks ago
    // (with their usage record, party indexes and the job they came from).
    void pruneDue();

private:
    // Brings accrual up to the block time (bounded by the end time).
    void accrue(Lease& l) const;
    // Whole seconds the client paid for so far ((paid_through - start_time) / 1000).
    static std::uint64_t paidSeconds(const Lease& l);
    void unindex(const Lease& l);
    void indexDue(Lease& l);
    ResultCode closeLease(Lease& l, CloseReason reason);
    // At a dry-out (l accrued, Active, before its end): pulls the client's
    // allowance into the escrow and re-indexes the lease. True when the
    // escrow now pays at least one more second.
    bool pullAutoTopUp(Lease& l);
    void save(const Lease& l);
    // Pays `amount` of the lease's accrual out: the take is burned, the rest
    // credited to the provider. Returns the provider's net.
    Expected<Amount, ResultCode> payProvider(Lease& l, Amount amount);
    ApplyContext& ctx_;
};

}  // namespace agora::contracts
