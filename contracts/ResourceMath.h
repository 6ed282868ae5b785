#pragma once
// Checked arithmetic over Resources (capacity accounting). GPU lists are kept
// strictly sorted by model with no zero counts.

#include <optional>

#include "consensus/core/MarketTypes.h"

namespace agora::contracts {

// a + b, nullopt on overflow.
std::optional<Resources> addResources(const Resources& a, const Resources& b);
// a - b, nullopt when some component of b exceeds a.
std::optional<Resources> subResources(const Resources& a, const Resources& b);
// Every component times `k`, saturating at the component's maximum (a bound,
// never a quantity that is reserved).
Resources scaleResources(const Resources& r, std::uint32_t k);
// True when every component of need is <= have.
bool covers(const Resources& have, const Resources& need);
bool isEmpty(const Resources& r);
// Stateless validity: gpus sorted, unique, counts > 0.
bool wellFormed(const Resources& r);

}  // namespace agora::contracts
