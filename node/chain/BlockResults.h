#pragma once
// What executing a block produced, stored with the block (BlockStore results)
// and committed by the header's results_hash:
//
//   TxOutcome    = u16 code || u64 fee_charged || string message (<= 256) || list<Event>
//   BlockResults = list<TxOutcome> || list<Event> begin || list<Event> end
//                  || list<ValidatorUpdate>
//   results_hash = merkleRoot(SHA-256 of each TxOutcome's bytes)

#include <cstdint>
#include <string>
#include <vector>

#include "consensus/core/Codec.h"
#include "consensus/core/Hash256.h"
#include "consensus/core/ValidatorUpdate.h"
#include "consensus/state/Event.h"

namespace agora::node {

struct TxOutcome {
    std::uint16_t code = 0;
    std::uint64_t feeCharged = 0;
    std::string message;
    std::vector<state::Event> events;

    void encodeTo(Writer& w) const;
    static TxOutcome decodeFrom(Reader& r);
    bool operator==(const TxOutcome&) const = default;
};

struct BlockResults {
    std::vector<TxOutcome> txs;
    std::vector<state::Event> beginEvents;
    std::vector<state::Event> endEvents;
    std::vector<ValidatorUpdate> validatorUpdates;

    Hash256 resultsHash() const;
    void encodeTo(Writer& w) const;
    static BlockResults decodeFrom(Reader& r);
    bool operator==(const BlockResults&) const = default;
};

}  // namespace agora::node
