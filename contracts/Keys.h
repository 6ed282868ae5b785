#pragma once
// State key layouts of every module (docs/ledger.md, "State keys"). A key is
// a one-byte module prefix followed by fixed-width fields: addresses as their
// 20 raw bytes, ids and heights as 8-byte big-endian integers, so that the
// ascending byte order of keys is the numeric order of heights and ids
// (indexes by height are scanned in order and stop at the first later key).

#include <cstdint>

#include "consensus/core/Address.h"
#include "consensus/core/Bytes.h"
#include "consensus/core/PublicKey.h"

namespace agora::contracts::keys {

namespace prefix {
inline constexpr std::uint8_t kParams = 0x01;
inline constexpr std::uint8_t kAccount = 0x02;
inline constexpr std::uint8_t kSupply = 0x03;
inline constexpr std::uint8_t kFeePool = 0x04;
inline constexpr std::uint8_t kCounter = 0x05;
inline constexpr std::uint8_t kValidator = 0x10;
inline constexpr std::uint8_t kConsensusKey = 0x11;
inline constexpr std::uint8_t kDelegation = 0x12;
inline constexpr std::uint8_t kUnbondingQueue = 0x13;
inline constexpr std::uint8_t kUnbondingByValidator = 0x14;
inline constexpr std::uint8_t kValidatorDirty = 0x15;
inline constexpr std::uint8_t kDowntime = 0x16;
inline constexpr std::uint8_t kValidatorByPower = 0x17;
inline constexpr std::uint8_t kActiveValidator = 0x18;
inline constexpr std::uint8_t kProvider = 0x20;
inline constexpr std::uint8_t kOffer = 0x21;
inline constexpr std::uint8_t kJob = 0x30;
inline constexpr std::uint8_t kJobExpiry = 0x31;
inline constexpr std::uint8_t kBid = 0x32;
inline constexpr std::uint8_t kJobBid = 0x33;
inline constexpr std::uint8_t kJobProviderBid = 0x34;
inline constexpr std::uint8_t kProviderBids = 0x35;
inline constexpr std::uint8_t kJobOfClient = 0x36;
inline constexpr std::uint8_t kJobPrune = 0x37;
inline constexpr std::uint8_t kLease = 0x40;
inline constexpr std::uint8_t kLeaseDue = 0x41;
inline constexpr std::uint8_t kLeaseGrace = 0x42;
inline constexpr std::uint8_t kUsageReport = 0x43;
inline constexpr std::uint8_t kAutoTopUp = 0x44;
inline constexpr std::uint8_t kLeaseOfClient = 0x45;
inline constexpr std::uint8_t kLeaseOfProvider = 0x46;
inline constexpr std::uint8_t kLeasePrune = 0x47;
inline constexpr std::uint8_t kProviderReputation = 0x50;
inline constexpr std::uint8_t kClientRecord = 0x51;
inline constexpr std::uint8_t kReputationPair = 0x52;
inline constexpr std::uint8_t kProposal = 0x60;
inline constexpr std::uint8_t kProposalQueue = 0x61;
inline constexpr std::uint8_t kGovVote = 0x62;
inline constexpr std::uint8_t kGovDeposit = 0x63;
}  // namespace prefix

// Ids handed out by counters (value: next id, u64).
enum class Counter : std::uint8_t { Job = 1, Bid = 2, Lease = 3, Unbonding = 4, Proposal = 5 };

Bytes one(std::uint8_t p);
Bytes params();
Bytes supply();
Bytes feePool();
Bytes counter(Counter c);
Bytes account(const Address& a);
Bytes validator(const Address& op);
Bytes consensusKey(const PublicKey& k);
Bytes delegation(const Address& validator, const Address& delegator);
Bytes delegationsOf(const Address& validator);  // prefix
Bytes unbondingQueue(std::uint64_t completionHeight, std::uint64_t seq);
Bytes unbondingByValidator(const Address& validator, std::uint64_t completionHeight, std::uint64_t seq);
Bytes unbondingByValidatorPrefix(const Address& validator);
Bytes validatorDirty(const Address& op);
// Bonded validators by power: prefix || u64 (UINT64_MAX - power) || operator,
// so an ascending scan yields the highest power first, ties by operator.
Bytes validatorByPower(std::uint64_t power, const Address& op);
// Validators consensus holds (last power handed over > 0).
Bytes activeValidator(const Address& op);
Bytes downtime(const Address& op);
Bytes provider(const Address& a);
Bytes offer(const Address& provider, std::uint32_t offerId);
Bytes offersOf(const Address& provider);  // prefix
Bytes job(std::uint64_t id);
Bytes jobExpiry(std::uint64_t height, std::uint64_t jobId);
Bytes bid(std::uint64_t id);
Bytes jobBid(std::uint64_t jobId, std::uint64_t bidId);
Bytes jobBidsPrefix(std::uint64_t jobId);
Bytes jobProviderBid(std::uint64_t jobId, const Address& provider);
// The resources a provider's open bids would take if all were accepted (Resources).
Bytes providerBids(const Address& provider);
Bytes lease(std::uint64_t id);
// A party's records (index entries, empty values), in id order: listing one
// party's leases or jobs costs O(its records), not O(all records).
Bytes leaseOfClient(const Address& client, std::uint64_t leaseId);
Bytes leasesOfClient(const Address& client);  // prefix
Bytes leaseOfProvider(const Address& provider, std::uint64_t leaseId);
Bytes leasesOfProvider(const Address& provider);  // prefix
Bytes jobOfClient(const Address& client, std::uint64_t jobId);
Bytes jobsOfClient(const Address& client);  // prefix
// Ended records to erase at a height (record_retention_blocks after they ended).
Bytes leasePrune(std::uint64_t height, std::uint64_t leaseId);
Bytes jobPrune(std::uint64_t height, std::uint64_t jobId);
// Lease indexes keyed by block time (ms), then id.
Bytes leaseDue(std::uint64_t timeMs, std::uint64_t leaseId);
Bytes leaseGrace(std::uint64_t timeMs, std::uint64_t leaseId);
Bytes usageReport(std::uint64_t leaseId);
// The client's auto top-up allowance of a lease (AutoTopUp; absent when none).
Bytes autoTopUp(std::uint64_t leaseId);
Bytes providerReputation(const Address& a);
Bytes clientRecord(const Address& a);
// How many leases one client already weighed in one provider's reputation.
Bytes reputationPair(const Address& provider, const Address& client);
Bytes proposal(std::uint64_t id);
// Proposals whose deposit or voting period ends at `height`.
Bytes proposalQueue(std::uint64_t height, std::uint64_t proposalId);
Bytes govVote(std::uint64_t proposalId, const Address& voter);
Bytes govVotesOf(std::uint64_t proposalId);  // prefix
Bytes govDeposit(std::uint64_t proposalId, const Address& depositor);
Bytes govDepositsOf(std::uint64_t proposalId);  // prefix
// Prefix of a height-ordered index (one of kJobExpiry, kUnbondingQueue,
// kProposalQueue, kLeasePrune, kJobPrune) at one height.
Bytes atHeight(std::uint8_t p, std::uint64_t height);

// Reads the big-endian u64 at offset of a key.
std::uint64_t u64At(ByteSpan key, std::size_t offset);

}  // namespace agora::contracts::keys
