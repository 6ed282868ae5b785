#pragma once
// One populated instance of every message type, for codec tests and vectors.

#include <vector>

#include "consensus/core/Hash256.h"
#include "consensus/core/Messages.h"

namespace agora::test {

inline Address sampleAddress(std::uint8_t seed) {
    std::array<std::uint8_t, 20> b{};
    for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(seed + i);
    return Address(b);
}

inline Resources sampleResources() {
    return Resources{4000, 8192, 100, {{"nvidia-a100", 2}, {"nvidia-h100", 1}}};
}

inline PriceSchedule samplePrices() {
    return PriceSchedule{
        Amount(2), Amount(1), Amount(3), {{"nvidia-a100", Amount(5000)}, {"nvidia-h100", Amount(9000)}}};
}

inline std::vector<Msg> sampleMessages() {
    std::array<std::uint8_t, 32> key{};
    key[31] = 7;
    return {
        MsgSend{sampleAddress(1), Amount(1'000'000)},
        MsgCreateValidator{PublicKey(key), "validator-one", 500, Amount(10'000'000)},
        MsgEditValidator{std::string("renamed"), std::nullopt},
        MsgDelegate{sampleAddress(2), Amount(42)},
        MsgUndelegate{sampleAddress(2), Amount(41)},
        MsgUnjail{},
        MsgProviderRegister{"https://provider.example:8443",
                            {{"region", "eu-west"}, {"tier", "gold"}},
                            sampleResources(),
                            Amount(5'000'000)},
        MsgProviderUpdate{std::nullopt, std::vector<Attribute>{{"region", "us-east"}}, sampleResources(), Amount(0)},
        MsgProviderUnbond{Amount(100)},
        MsgOfferSet{1, samplePrices()},
        MsgOfferRemove{1},
        MsgJobCreate{sampleResources(),
                     {{"region", "eu-west"}},
                     Amount(20'000),
                     1000,
                     20,
                     3500,
                     Amount(20'000'000),
                     sha256(asBytes("manifest"))},
        MsgJobCancel{7},
        MsgBidPlace{7, Amount(15'000), Amount(1'000)},
        MsgBidWithdraw{9},
        MsgBidAccept{9},
        MsgLeaseFromOffer{sampleAddress(3), 1, sampleResources(), 500, Amount(9'000'000), sha256(asBytes("manifest")),
                          Amount(20'000), 7},
        MsgLeaseTopUp{11, Amount(123)},
        MsgUsageReport{11, 12345, 9990, Hash256::fromHex(std::string(64, 'a')).value()},
        MsgLeaseClose{11, CloseReason::ProviderFailed},
        MsgLeaseSettle{11, 4},
        MsgProviderWithdraw{11},
        MsgGovSubmit{"raise the fee", {{"gov_voting_period_blocks", "50"}, {"min_fee", "2000"}}, Amount(5'000'000)},
        MsgGovDeposit{3, Amount(1'000'000)},
        MsgGovVote{3, VoteOption::NoWithVeto},
        MsgLeaseSetAutoTopUp{11, Amount(5'000), Amount(15'000)},
    };
}

}  // namespace agora::test
