#include "node/rpc/TxResultProto.h"

#include "consensus/state/ResultCode.h"

namespace agora::node {

std::string_view codespaceOf(std::uint16_t code) {
    switch (state::resultGroup(static_cast<state::ResultCode>(code))) {
        case state::ResultGroup::Success:
            return "ok";
        case state::ResultGroup::Malformed:
            return "malformed";
        case state::ResultGroup::Rejected:
            return "rejected";
        case state::ResultGroup::FailedFeeCharged:
            return "failed";
    }
    return "unknown";
}

void fillEvent(const state::Event& e, std::uint64_t height, const Hash256* txHash, agora::types::v1::Event* out) {
    out->set_type(e.type);
    for (const auto& a : e.attributes) {
        auto* attr = out->add_attributes();
        attr->set_key(a.key);
        attr->set_value(a.value);
    }
    out->set_height(height);
    if (txHash != nullptr) out->set_tx_hash(std::string(txHash->bytes().begin(), txHash->bytes().end()));
}

void fillTxResult(const contracts::TxResult& r, std::uint64_t height, const Hash256& txHash,
                  agora::types::v1::TxResult* out) {
    const auto code = static_cast<std::uint16_t>(r.code);
    out->set_code(code);
    out->set_codespace(std::string(codespaceOf(code)));
    out->set_message(r.message);
    out->set_fee_charged(r.feeCharged.micro());
    for (const auto& e : r.events) fillEvent(e, height, &txHash, out->add_events());
}

void fillTxResult(const TxOutcome& r, std::uint64_t height, const Hash256& txHash, agora::types::v1::TxResult* out) {
    out->set_code(r.code);
    out->set_codespace(std::string(codespaceOf(r.code)));
    out->set_message(r.message);
    out->set_fee_charged(r.feeCharged);
    for (const auto& e : r.events) fillEvent(e, height, &txHash, out->add_events());
}

}  // namespace agora::node
