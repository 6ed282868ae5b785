#include "contracts/Invariants.h"

#include <cstdlib>
#include <map>
#include <set>

#include "contracts/Bank.h"
#include "contracts/Gov.h"
#include "contracts/Keys.h"
#include "contracts/Leases.h"
#include "contracts/Market.h"
#include "contracts/Providers.h"
#include "contracts/ResourceMath.h"
#include "contracts/Staking.h"

namespace agora::contracts {

namespace {
__extension__ using U128 = unsigned __int128;

template <typename T, typename Fn>
void scanAll(const state::StateReader& s, std::uint8_t prefix, Fn&& fn) {
    s.scan(keys::one(prefix), {}, [&](ByteSpan key, ByteSpan value) {
        auto v = decode<T>(value);
        if (!v) std::abort();
        fn(key, *v);
        return true;
    });
}

std::string u128ToString(U128 v) {
    if (v == 0) return "0";
    std::string out;
    while (v > 0) {
        out.insert(out.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
        v /= 10;
    }
    return out;
}
}  // namespace

std::optional<std::string> checkInvariants(const state::StateReader& s) {
    std::optional<std::string> failure;
    auto failOnce = [&](std::string msg) {
        if (!failure) failure = std::move(msg);
    };
    U128 held = 0;

    scanAll<Account>(s, keys::prefix::kAccount, [&](ByteSpan, const Account& a) { held += a.balance.micro(); });
    if (auto raw = s.get(keys::feePool())) {
        Reader r(*raw);
        held += r.u64();
    }
    scanAll<Validator>(s, keys::prefix::kValidator, [&](ByteSpan, const Validator& v) {
        held += v.tokens.micro();
        held += v.pendingRewards.micro();
    });
    scanAll<UnbondingEntry>(s, keys::prefix::kUnbondingQueue,
                            [&](ByteSpan, const UnbondingEntry& e) { held += e.amount.micro(); });

    struct Usage {
        Resources reserved;
        std::uint64_t open = 0;
    };
    std::map<Address, Usage> usage;
    std::set<std::uint64_t> openLeases;
    scanAll<Lease>(s, keys::prefix::kLease, [&](ByteSpan, const Lease& l) {
        held += l.escrow.micro();
        held += l.accrued.micro();
        const U128 parts =
            static_cast<U128>(l.escrow.micro()) + l.accrued.micro() + l.paidOut.micro() + l.refunded.micro();
        if (parts != l.deposited.micro()) failOnce("lease " + std::to_string(l.id) + ": deposit not conserved");
        if (l.paidOut > l.deposited) failOnce("lease " + std::to_string(l.id) + ": paid beyond its deposit");
        if (l.burned > l.paidOut) failOnce("lease " + std::to_string(l.id) + ": burned more than it paid out");
        switch (l.state) {
            case LeaseState::Active:
                if (!s.contains(keys::leaseDue(l.dueTime, l.id)))
                    failOnce("lease " + std::to_string(l.id) + ": missing due index");
                break;
            case LeaseState::InsufficientFunds:
                if (!s.contains(keys::leaseGrace(l.graceTime, l.id)))
                    failOnce("lease " + std::to_string(l.id) + ": missing grace index");
                break;
            case LeaseState::Closed:
                if (l.settled && (!l.escrow.isZero() || !l.accrued.isZero()))
                    failOnce("lease " + std::to_string(l.id) + ": settled with funds left");
                break;
        }
        if (!s.contains(keys::leaseOfClient(l.client, l.id)) || !s.contains(keys::leaseOfProvider(l.provider, l.id)))
            failOnce("lease " + std::to_string(l.id) + ": missing a party index entry");
        if (l.state != LeaseState::Closed) {
            openLeases.insert(l.id);
            Usage& u = usage[l.provider];
            u.reserved = addResources(u.reserved, l.resources).value_or(Resources{});
            ++u.open;
        }
    });
    scanAll<AutoTopUp>(s, keys::prefix::kAutoTopUp, [&](ByteSpan key, const AutoTopUp& a) {
        const std::uint64_t id = keys::u64At(key, 1);
        if (!openLeases.contains(id)) failOnce("auto top-up of lease " + std::to_string(id) + " outlived its lease");
        if (a.remaining.isZero()) failOnce("auto top-up of lease " + std::to_string(id) + " used up but kept");
    });
    // No index entry outlives its record (pruning erases both).
    for (const std::uint8_t p :
         {keys::prefix::kLeaseOfClient, keys::prefix::kLeaseOfProvider, keys::prefix::kJobOfClient}) {
        s.scan(keys::one(p), {}, [&](ByteSpan key, ByteSpan) {
            const std::uint64_t id = keys::u64At(key, 21);
            const bool isJob = p == keys::prefix::kJobOfClient;
            if (!s.contains(isJob ? keys::job(id) : keys::lease(id)))
                failOnce(std::string(isJob ? "job " : "lease ") + std::to_string(id) +
                         ": index entry without a record");
            return true;
        });
    }
    scanAll<Provider>(s, keys::prefix::kProvider, [&](ByteSpan, const Provider& p) {
        held += p.stake.micro();
        const Usage u = usage.count(p.address) ? usage[p.address] : Usage{};
        if (!(u.reserved == p.reserved) || u.open != p.openLeases)
            failOnce("provider " + p.address.toBech32() + ": reserved capacity differs from open leases");
        if (!covers(p.capacity, p.reserved)) failOnce("provider " + p.address.toBech32() + ": reserved above capacity");
    });
    scanAll<Job>(s, keys::prefix::kJob, [&](ByteSpan, const Job& j) {
        if (!s.contains(keys::jobOfClient(j.client, j.id)))
            failOnce("job " + std::to_string(j.id) + ": missing its client index entry");
        if (j.state == JobState::Open)
            held += j.deposit.micro();
        else if (!j.deposit.isZero())
            failOnce("job " + std::to_string(j.id) + ": closed with a deposit");
    });
    std::map<Address, Resources> bidCommitments;  // provider -> resources of its open bids' jobs
    scanAll<Bid>(s, keys::prefix::kBid, [&](ByteSpan, const Bid& b) {
        if (b.state != BidState::Open) return;
        held += b.deposit.micro();
        auto raw = s.get(keys::job(b.jobId));
        if (!raw) return failOnce("bid " + std::to_string(b.id) + ": open on a missing job");
        auto j = decode<Job>(*raw);
        if (!j) std::abort();
        auto sum = addResources(bidCommitments[b.provider], j->resources);
        if (!sum) return failOnce("bid " + std::to_string(b.id) + ": commitments overflow");
        bidCommitments[b.provider] = *sum;
    });
    s.scan(keys::one(keys::prefix::kProviderBids), {}, [&](ByteSpan key, ByteSpan value) {
        auto r = decode<Resources>(value);
        if (!r) std::abort();
        auto parsed = Address::fromSpan(key.subspan(1));
        if (!parsed) std::abort();
        const Address provider = *parsed;
        auto it = bidCommitments.find(provider);
        if (it == bidCommitments.end() || !(it->second == *r))
            failOnce("provider " + provider.toBech32() + ": bid commitment differs from its open bids");
        else
            bidCommitments.erase(it);
        return true;
    });
    for (const auto& [provider, r] : bidCommitments)
        if (!isEmpty(r)) failOnce("provider " + provider.toBech32() + ": open bids without a bid commitment");

    std::map<std::uint64_t, U128> govDeposits;  // proposal -> sum of its deposit records
    s.scan(keys::one(keys::prefix::kGovDeposit), {}, [&](ByteSpan key, ByteSpan value) {
        Reader r(value);
        const std::uint64_t amount = r.u64();
        r.expectEnd();
        if (!r.ok()) std::abort();
        govDeposits[keys::u64At(key, 1)] += amount;
        return true;
    });
    scanAll<Proposal>(s, keys::prefix::kProposal, [&](ByteSpan, const Proposal& p) {
        held += p.depositsHeld.micro();
        const U128 recorded = govDeposits.count(p.id) ? govDeposits[p.id] : 0;
        if (recorded != p.depositsHeld.micro())
            failOnce("proposal " + std::to_string(p.id) + ": deposit records differ from the deposits held");
        const bool open = p.status == ProposalStatus::DepositPeriod || p.status == ProposalStatus::VotingPeriod;
        if (!open && !p.depositsHeld.isZero())
            failOnce("proposal " + std::to_string(p.id) + ": ended holding deposits");
    });

    Supply supply;
    if (auto raw = s.get(keys::supply())) {
        auto d = decode<Supply>(*raw);
        if (!d) std::abort();
        supply = *d;
    }
    if (supply.burned > supply.minted) failOnce("burned exceeds minted");
    const U128 expected = static_cast<U128>(supply.minted.micro()) - supply.burned.micro();
    if (held != expected)
        failOnce("supply mismatch: minted - burned = " + u128ToString(expected) + " but state holds " +
                 u128ToString(held));
    return failure;
}

}  // namespace agora::contracts
