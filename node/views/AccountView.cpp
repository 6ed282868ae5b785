#include "node/views/AccountView.h"

#include "node/views/ViewParse.h"

namespace agora::node {

void toProto(const AccountView& v, agora::query::v1::AccountResponse* out) {
    out->set_address(v.address.toBech32());
    out->set_balance(v.balance.toString());
    out->set_next_nonce(v.nextNonce);
    out->set_pending_nonce(v.pendingNonce);
}

std::optional<AccountView> fromProto(const agora::query::v1::AccountResponse& resp) {
    auto address = viewparse::address(resp.address());
    auto balance = viewparse::amount(resp.balance());
    if (!address || !balance) return std::nullopt;
    AccountView v;
    v.address = *address;
    v.balance = *balance;
    v.nextNonce = resp.next_nonce();
    v.exists = resp.state().exists();
    v.pendingNonce = resp.pending_nonce();
    return v;
}

nlohmann::ordered_json accountJson(const AccountView& v) {
    return nlohmann::ordered_json{{"address", v.address.toBech32()},
                                  {"balance", v.balance.toString()},
                                  {"next_nonce", v.nextNonce},
                                  {"pending_nonce", v.pendingNonce}};
}

}  // namespace agora::node
