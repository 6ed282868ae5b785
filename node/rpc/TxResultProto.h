#pragma once
// Conversions from the ledger's tx results to the transport's TxResult
// (agora.types.v1): codespace from the code's group, events with the height
// and tx hash they belong to.

#include <cstdint>
#include <string_view>

#include "agora/types/v1/types.pb.h"
#include "consensus/core/Hash256.h"
#include "consensus/state/Event.h"
#include "contracts/Ledger.h"
#include "node/chain/BlockResults.h"

namespace agora::node {

// "ok" | "malformed" | "rejected" | "failed" for a ledger result code.
std::string_view codespaceOf(std::uint16_t code);

void fillEvent(const state::Event& e, std::uint64_t height, const Hash256* txHash, agora::types::v1::Event* out);
void fillTxResult(const contracts::TxResult& r, std::uint64_t height, const Hash256& txHash,
                  agora::types::v1::TxResult* out);
void fillTxResult(const TxOutcome& r, std::uint64_t height, const Hash256& txHash, agora::types::v1::TxResult* out);

}  // namespace agora::node
