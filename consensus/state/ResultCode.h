#pragma once
// The ledger's name for the result codes. The table itself is protocol, in
// consensus/core/ResultCode.h; the apply pipeline and the node spell the codes
// state::ResultCode, so they stay reachable under that name.

#include "consensus/core/ResultCode.h"

namespace agora::state {

using agora::ResultCode;
using agora::ResultCodeInfo;
using agora::resultCodeTable;
using agora::ResultGroup;
using agora::resultGroup;
using agora::resultMessage;
using agora::resultName;

}  // namespace agora::state
