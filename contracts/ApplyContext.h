#pragma once
// What a module sees while it applies a message or runs its end-of-block
// work: the (sandboxed) state, the block, the params and the event sink.

#include <vector>

#include "consensus/state/BlockContext.h"
#include "consensus/state/Event.h"
#include "consensus/state/ResultCode.h"
#include "contracts/Params.h"
#include "contracts/Store.h"

namespace agora::contracts {

using state::ResultCode;

class ApplyContext {
public:
    ApplyContext(state::StateWriter& stateIn, const state::BlockContext& blockIn, const Params& paramsIn,
                 std::vector<state::Event>& eventsIn)
        : store(stateIn), block(blockIn), params(paramsIn), events(eventsIn) {}

    std::uint64_t height() const { return block.height; }
    state::Event& emit(std::string type) { return events.emplace_back(std::move(type)); }

    Store store;
    const state::BlockContext& block;
    const Params& params;
    std::vector<state::Event>& events;
};

// Returns early from a function returning ResultCode when expr is not Ok.
#define AGORA_TRY(expr)                                                                                       \
    do {                                                                                                      \
        if (const ::agora::state::ResultCode rc_ = (expr); rc_ != ::agora::state::ResultCode::Ok) return rc_; \
    } while (0)

}  // namespace agora::contracts
