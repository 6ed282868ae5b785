#pragma once
// An account as the node serves it (QueryService.Account, GET
// /v1/accounts/{address}) and the CLI prints it (`agora query account`):
// the view, its protobuf form both ways (the typed fields of AccountResponse)
// and its one JSON mapping (design decision 40).

#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "agora/query/v1/query.pb.h"
#include "consensus/core/Address.h"
#include "consensus/core/Amount.h"

namespace agora::node {

struct AccountView {
    Address address;
    Amount balance;               // zero when the address has no account
    std::uint64_t nextNonce = 0;  // the committed account's nonce
    bool exists = false;          // whether the ledger holds an account record (not on the wire)
    // One past the sender's highest mempool nonce, never below nextNonce.
    std::uint64_t pendingNonce = 0;
    bool operator==(const AccountView&) const = default;
};

// Fills address, balance, next_nonce and pending_nonce (not state).
void toProto(const AccountView& v, agora::query::v1::AccountResponse* out);
// exists is not on the wire: it comes from state.exists.
std::optional<AccountView> fromProto(const agora::query::v1::AccountResponse& resp);
// {"address","balance","next_nonce","pending_nonce"}.
nlohmann::ordered_json accountJson(const AccountView& v);

}  // namespace agora::node
