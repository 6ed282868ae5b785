#pragma once
// gov: parameter-change proposals (docs/ledger.md, "Governance").
//
// A proposal names changes to ledger parameters. Its deposits are held until
// it ends. It opens for votes once its deposits reach gov_min_deposit (else
// it expires at the end of gov_deposit_period_blocks and its deposits are
// burned); the vote runs gov_voting_period_blocks. At the end of the block
// that closes the vote, the tally weighs each vote by bonded stake: a
// validator in the active set votes with its tokens, less the delegations
// whose delegators voted themselves (a delegator overrides its validator).
//
//   quorum:    voted * 10000 >= gov_quorum_bps * bonded            else rejected
//   veto:      veto * 10000 > gov_veto_bps * voted                 rejected_veto (deposits burned)
//   threshold: yes * 10000 > gov_threshold_bps * (voted - abstain) passed, else rejected
//
// A passed proposal's changes apply to the parameters at once (the next block
// runs on them) if the result still validate()s, else it ends failed.
// Deposits are refunded unless the proposal expired or was vetoed.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/core/Address.h"
#include "consensus/core/Amount.h"
#include "consensus/core/Messages.h"
#include "contracts/ApplyContext.h"

namespace agora::contracts {

enum class ProposalStatus : std::uint8_t {
    DepositPeriod = 1,
    VotingPeriod = 2,
    Passed = 3,
    Rejected = 4,
    RejectedVeto = 5,
    Failed = 6,   // passed, but the changed parameters did not validate
    Expired = 7,  // the deposit period ended below gov_min_deposit
};
inline constexpr std::uint8_t kProposalStatusMax = 7;
std::string_view proposalStatusName(ProposalStatus s);

struct Tally {
    Amount yes;
    Amount abstain;
    Amount no;
    Amount veto;
    Amount bonded;  // stake of the active set when tallied
    void encodeTo(Writer& w) const;
    static Tally decodeFrom(Reader& r);
    bool operator==(const Tally&) const = default;
};

struct Proposal {
    std::uint64_t id = 0;
    Address proposer;
    std::string title;
    std::vector<ParamChange> changes;
    ProposalStatus status = ProposalStatus::DepositPeriod;
    std::uint64_t submitHeight = 0;
    std::uint64_t depositEndHeight = 0;   // last height of the deposit period
    std::uint64_t votingStartHeight = 0;  // 0 until the vote opens
    std::uint64_t votingEndHeight = 0;    // the tally runs at the end of this block
    Amount totalDeposit;                  // every deposit made
    Amount depositsHeld;                  // held by the ledger: 0 once refunded or burned
    Tally finalTally;                     // set when the vote closed
    std::string failure;                  // why a passed proposal failed

    void encodeTo(Writer& w) const;
    static Proposal decodeFrom(Reader& r);
    bool operator==(const Proposal&) const = default;
};

// The changes applied to `base`: Ok, UnknownParam, InvalidParamValue or
// InvalidParams (with the reason in `why` when given).
ResultCode applyChanges(Params& base, const std::vector<ParamChange>& changes, std::string* why = nullptr);

class Gov {
public:
    explicit Gov(ApplyContext& ctx) : ctx_(ctx) {}

    std::optional<Proposal> proposal(std::uint64_t id) const;
    // The tally of the votes cast so far (final once the vote closed).
    Tally tally(const Proposal& p) const;

    ResultCode submit(const Address& proposer, const MsgGovSubmit& msg);
    ResultCode deposit(const Address& depositor, const MsgGovDeposit& msg);
    ResultCode vote(const Address& voter, const MsgGovVote& msg);

    // End of block: proposals whose deposit or voting period ends here.
    ResultCode processDue();

private:
    ResultCode addDeposit(Proposal& p, const Address& depositor, Amount amount);
    void openVote(Proposal& p);
    ResultCode closeVote(Proposal& p);
    ResultCode settleDeposits(Proposal& p, bool burn);
    void save(const Proposal& p);
    ApplyContext& ctx_;
};

}  // namespace agora::contracts
