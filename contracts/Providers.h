#pragma once
// providers: registration with bonded stake, host URI, attributes and
// capacity; standing offers; stake unbonding (never below what open leases
// need); capacity reservation by leases.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "consensus/core/Address.h"
#include "consensus/core/MarketTypes.h"
#include "consensus/core/Messages.h"
#include "contracts/ApplyContext.h"

namespace agora::contracts {

struct Provider {
    Address address;
    std::string hostUri;
    std::vector<Attribute> attributes;
    Resources capacity;
    Resources reserved;  // sum of the resources of open leases
    Amount stake;        // bonded (unbonding amounts sit in the unbonding queue)
    std::uint32_t offerCount = 0;
    std::uint64_t openLeases = 0;
    std::uint64_t registeredHeight = 0;
    // The last offer version handed out: each offer_set takes the next, so an
    // offer's version grows on every update and a removed offer's version is
    // never reused.
    std::uint64_t offerVersionSeq = 0;

    void encodeTo(Writer& w) const;
    static Provider decodeFrom(Reader& r);
    bool operator==(const Provider&) const = default;
};

// A standing offer as stored (key 0x21): its prices and version.
struct Offer {
    PriceSchedule prices;
    std::uint64_t version = 0;  // >= 1

    void encodeTo(Writer& w) const;
    static Offer decodeFrom(Reader& r);
    bool operator==(const Offer&) const = default;
};

class Providers {
public:
    explicit Providers(ApplyContext& ctx) : ctx_(ctx) {}

    std::optional<Provider> get(const Address& a) const;
    void save(const Provider& p);
    std::optional<PriceSchedule> offer(const Address& a, std::uint32_t offerId) const;
    // The offer with its version.
    std::optional<Offer> offerRecord(const Address& a, std::uint32_t offerId) const;

    ResultCode registerProvider(const Address& a, const MsgProviderRegister& msg);
    ResultCode update(const Address& a, const MsgProviderUpdate& msg);
    ResultCode unbond(const Address& a, const MsgProviderUnbond& msg);
    ResultCode setOffer(const Address& a, const MsgOfferSet& msg);
    ResultCode removeOffer(const Address& a, const MsgOfferRemove& msg);

    // Stake that must stay bonded while `openLeases` leases are open.
    Amount requiredStake(std::uint64_t openLeases) const;
    // A provider may take new work: registered and stake covers one more lease.
    ResultCode canTakeLease(const Provider& p, const Resources& need) const;
    ResultCode reserve(const Address& a, const Resources& need);
    ResultCode release(const Address& a, const Resources& need);
    // Burns bps of the provider's stake; returns what was burned.
    Amount slashStake(const Address& a, std::uint32_t bps, std::string_view reason);

private:
    ApplyContext& ctx_;
};

// True when every constraint (key, value) is among the provider's attributes.
bool attributesMatch(const std::vector<Attribute>& provider, const std::vector<Attribute>& constraints);

}  // namespace agora::contracts
