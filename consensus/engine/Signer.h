#pragma once
// The double-sign guard between the engine's sign requests and the key.
//
// Rule: a request at (height, round, step) is signed only if it is strictly
// after the last signed (height, round, step), or equal to it with the same
// digest (a re-send after a crash signs the same bytes again). Anything else
// is refused. Before a new position is signed, the new SignerState is handed
// to SignerStateStore::persist, which must make it durable (the node fsyncs)
// and return true; only then is the key used. A failed persist releases
// nothing.
//
// Pure: the key and the storage are reached through the two interfaces
// below. Not thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "consensus/core/Expected.h"
#include "consensus/core/Hash256.h"
#include "consensus/core/Proposal.h"
#include "consensus/core/PublicKey.h"
#include "consensus/core/Vote.h"
#include "consensus/engine/SignerState.h"
#include "consensus/engine/Step.h"

namespace agora::consensus {

// Stable numeric codes; never renumber.
enum class SignError : std::uint8_t {
    Regression = 1,     // before the last signed (height, round, step)
    Conflict = 2,       // same position, different bytes: would double-sign
    PersistFailed = 3,  // the signer state could not be made durable
    WrongKey = 4,       // the request names another validator
};

std::string_view errorName(SignError e);

class SignerStateStore {
public:
    virtual ~SignerStateStore() = default;
    // Durably stores the state (fsync) and returns true, or returns false.
    virtual bool persist(const SignerState& state) = 0;
};

class KeyHandle {
public:
    virtual ~KeyHandle() = default;
    virtual PublicKey publicKey() const = 0;
    // BIP-340 signature over a 32-byte digest.
    virtual Signature sign(const Hash256& digest) = 0;
};

class Signer {
public:
    // `last` is the state read back from storage at startup.
    Signer(std::string chainId, SignerState last, SignerStateStore& store, KeyHandle& key);

    // The vote/proposal with its signature filled in, or why not.
    Expected<Vote, SignError> signVote(Vote vote);
    Expected<Proposal, SignError> signProposal(Proposal proposal);

    const SignerState& state() const { return state_; }

private:
    Expected<Signature, SignError> signAt(std::uint64_t height, std::uint32_t round, Step step, const Hash256& digest);

    std::string chainId_;
    SignerState state_;
    SignerStateStore* store_;
    KeyHandle* key_;
};

}  // namespace agora::consensus
