// Fuzz target: the ledger's stored records (contracts/), read back from the
// state store and decoded by queries and block execution. The first byte
// picks the record type, the rest is the record.
// Property: what decodes is canonical.
#include "contracts/Bank.h"
#include "contracts/Leases.h"
#include "contracts/Market.h"
#include "contracts/Params.h"
#include "contracts/Providers.h"
#include "contracts/Reputation.h"
#include "contracts/Staking.h"
#include "test/fuzz/FuzzCheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace agora;
    using namespace agora::contracts;
    if (size == 0) return 0;
    const ByteSpan in = fuzz::bytesOf(data + 1, size - 1);
    switch (data[0] % 14) {
        case 0:
            fuzz::checkCanonical<Account>(in);
            break;
        case 1:
            fuzz::checkCanonical<Supply>(in);
            break;
        case 2:
            fuzz::checkCanonical<Lease>(in);
            break;
        case 3:
            fuzz::checkCanonical<UsageRecord>(in);
            break;
        case 4:
            fuzz::checkCanonical<Job>(in);
            break;
        case 5:
            fuzz::checkCanonical<Bid>(in);
            break;
        case 6:
            fuzz::checkCanonical<Params>(in);
            break;
        case 7:
            fuzz::checkCanonical<Provider>(in);
            break;
        case 8:
            fuzz::checkCanonical<ProviderReputation>(in);
            break;
        case 9:
            fuzz::checkCanonical<ClientRecord>(in);
            break;
        case 10:
            fuzz::checkCanonical<contracts::Validator>(in);
            break;
        case 11:
            fuzz::checkCanonical<Delegation>(in);
            break;
        case 12:
            fuzz::checkCanonical<UnbondingEntry>(in);
            break;
        case 13:
            fuzz::checkCanonical<Offer>(in);
            break;
    }
    return 0;
}
