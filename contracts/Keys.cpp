#include "contracts/Keys.h"

#include <limits>

namespace agora::contracts::keys {
namespace {

void putU64(Bytes& b, std::uint64_t v) {
    for (int i = 7; i >= 0; --i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void putU32(Bytes& b, std::uint32_t v) {
    for (int i = 3; i >= 0; --i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void putSpan(Bytes& b, ByteSpan s) {
    b.insert(b.end(), s.begin(), s.end());
}
// A key's first byte, with room for the rest: every key fits in 64 bytes, so
// appending never reallocates (and GCC 12 -O2 does not misjudge the copy into
// a one-byte vector as out of bounds, -Warray-bounds).
Bytes start(std::uint8_t p) {
    Bytes b;
    b.reserve(64);
    b.push_back(p);
    return b;
}

Bytes withAddr(std::uint8_t p, const Address& a) {
    Bytes b = start(p);
    putSpan(b, a.span());
    return b;
}
Bytes withId(std::uint8_t p, std::uint64_t id) {
    Bytes b = start(p);
    putU64(b, id);
    return b;
}
// A party index entry (leases by client or by provider, jobs by client): the
// key space, the party, the record's id; withAddr alone is the party's prefix.
Bytes withAddrAndId(std::uint8_t p, const Address& a, std::uint64_t id) {
    Bytes b = withAddr(p, a);
    putU64(b, id);
    return b;
}
Bytes withTwoIds(std::uint8_t p, std::uint64_t a, std::uint64_t c) {
    Bytes b = withId(p, a);
    putU64(b, c);
    return b;
}

}  // namespace

Bytes one(std::uint8_t p) {
    return Bytes{p};
}
Bytes params() {
    return one(prefix::kParams);
}
Bytes supply() {
    return one(prefix::kSupply);
}
Bytes feePool() {
    return one(prefix::kFeePool);
}
Bytes counter(Counter c) {
    return Bytes{prefix::kCounter, static_cast<std::uint8_t>(c)};
}
Bytes account(const Address& a) {
    return withAddr(prefix::kAccount, a);
}
Bytes validator(const Address& op) {
    return withAddr(prefix::kValidator, op);
}
Bytes consensusKey(const PublicKey& k) {
    Bytes b = start(prefix::kConsensusKey);
    putSpan(b, k.span());
    return b;
}
Bytes delegation(const Address& v, const Address& d) {
    Bytes b = withAddr(prefix::kDelegation, v);
    putSpan(b, d.span());
    return b;
}
Bytes delegationsOf(const Address& v) {
    return withAddr(prefix::kDelegation, v);
}
Bytes unbondingQueue(std::uint64_t h, std::uint64_t seq) {
    return withTwoIds(prefix::kUnbondingQueue, h, seq);
}
Bytes unbondingByValidator(const Address& v, std::uint64_t h, std::uint64_t seq) {
    Bytes b = withAddr(prefix::kUnbondingByValidator, v);
    putU64(b, h);
    putU64(b, seq);
    return b;
}
Bytes unbondingByValidatorPrefix(const Address& v) {
    return withAddr(prefix::kUnbondingByValidator, v);
}
Bytes validatorDirty(const Address& op) {
    return withAddr(prefix::kValidatorDirty, op);
}
Bytes validatorByPower(std::uint64_t power, const Address& op) {
    Bytes b = start(prefix::kValidatorByPower);
    putU64(b, std::numeric_limits<std::uint64_t>::max() - power);
    putSpan(b, op.span());
    return b;
}
Bytes activeValidator(const Address& op) {
    return withAddr(prefix::kActiveValidator, op);
}
Bytes downtime(const Address& op) {
    return withAddr(prefix::kDowntime, op);
}
Bytes provider(const Address& a) {
    return withAddr(prefix::kProvider, a);
}
Bytes offer(const Address& p, std::uint32_t id) {
    Bytes b = withAddr(prefix::kOffer, p);
    putU32(b, id);
    return b;
}
Bytes offersOf(const Address& p) {
    return withAddr(prefix::kOffer, p);
}
Bytes job(std::uint64_t id) {
    return withId(prefix::kJob, id);
}
Bytes jobExpiry(std::uint64_t h, std::uint64_t id) {
    return withTwoIds(prefix::kJobExpiry, h, id);
}
Bytes bid(std::uint64_t id) {
    return withId(prefix::kBid, id);
}
Bytes jobBid(std::uint64_t j, std::uint64_t b) {
    return withTwoIds(prefix::kJobBid, j, b);
}
Bytes jobBidsPrefix(std::uint64_t j) {
    return withId(prefix::kJobBid, j);
}
Bytes jobProviderBid(std::uint64_t j, const Address& p) {
    Bytes b = withId(prefix::kJobProviderBid, j);
    putSpan(b, p.span());
    return b;
}
Bytes providerBids(const Address& p) {
    return withAddr(prefix::kProviderBids, p);
}
Bytes lease(std::uint64_t id) {
    return withId(prefix::kLease, id);
}
Bytes leaseDue(std::uint64_t h, std::uint64_t id) {
    return withTwoIds(prefix::kLeaseDue, h, id);
}
Bytes leaseGrace(std::uint64_t h, std::uint64_t id) {
    return withTwoIds(prefix::kLeaseGrace, h, id);
}
Bytes usageReport(std::uint64_t id) {
    return withId(prefix::kUsageReport, id);
}

Bytes autoTopUp(std::uint64_t id) {
    return withId(prefix::kAutoTopUp, id);
}

Bytes leaseOfClient(const Address& client, std::uint64_t leaseId) {
    return withAddrAndId(prefix::kLeaseOfClient, client, leaseId);
}
Bytes leasesOfClient(const Address& client) {
    return withAddr(prefix::kLeaseOfClient, client);
}
Bytes leaseOfProvider(const Address& provider, std::uint64_t leaseId) {
    return withAddrAndId(prefix::kLeaseOfProvider, provider, leaseId);
}
Bytes leasesOfProvider(const Address& provider) {
    return withAddr(prefix::kLeaseOfProvider, provider);
}
Bytes jobOfClient(const Address& client, std::uint64_t jobId) {
    return withAddrAndId(prefix::kJobOfClient, client, jobId);
}
Bytes jobsOfClient(const Address& client) {
    return withAddr(prefix::kJobOfClient, client);
}
Bytes leasePrune(std::uint64_t height, std::uint64_t leaseId) {
    return withTwoIds(prefix::kLeasePrune, height, leaseId);
}
Bytes jobPrune(std::uint64_t height, std::uint64_t jobId) {
    return withTwoIds(prefix::kJobPrune, height, jobId);
}
Bytes providerReputation(const Address& a) {
    return withAddr(prefix::kProviderReputation, a);
}
Bytes clientRecord(const Address& a) {
    return withAddr(prefix::kClientRecord, a);
}
Bytes reputationPair(const Address& provider, const Address& client) {
    Bytes b = withAddr(prefix::kReputationPair, provider);
    putSpan(b, client.span());
    return b;
}
Bytes proposal(std::uint64_t id) {
    return withId(prefix::kProposal, id);
}
Bytes proposalQueue(std::uint64_t height, std::uint64_t proposalId) {
    return withTwoIds(prefix::kProposalQueue, height, proposalId);
}
Bytes govVote(std::uint64_t proposalId, const Address& voter) {
    Bytes b = withId(prefix::kGovVote, proposalId);
    putSpan(b, voter.span());
    return b;
}
Bytes govVotesOf(std::uint64_t proposalId) {
    return withId(prefix::kGovVote, proposalId);
}
Bytes govDeposit(std::uint64_t proposalId, const Address& depositor) {
    Bytes b = withId(prefix::kGovDeposit, proposalId);
    putSpan(b, depositor.span());
    return b;
}
Bytes govDepositsOf(std::uint64_t proposalId) {
    return withId(prefix::kGovDeposit, proposalId);
}
Bytes atHeight(std::uint8_t p, std::uint64_t h) {
    return withId(p, h);
}

std::uint64_t u64At(ByteSpan key, std::size_t offset) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8 && offset + i < key.size(); ++i) v = (v << 8) | key[offset + i];
    return v;
}

}  // namespace agora::contracts::keys
