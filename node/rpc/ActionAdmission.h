#pragma once
// The action RPCs (ProviderService, ClientService, StakingService) take a
// signed tx built by the client and accept it only when EVERY message in it
// is of a kind the RPC is for (PlaceBid: bid_place, ...). Then the tx is
// admitted exactly like TxService.Broadcast (TxBroadcaster), sync or commit.
// The tx is decoded once (node/submit/TxSubmitter) and travels decoded.
//
// Refusals, before anything reaches the mempool:
//   500 malformed            the bytes are not a canonical signed tx
//   600 wrong_message_kind   a message of another kind (names the message index,
//                            its kind and what the RPC accepts)

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <grpcpp/grpcpp.h>

#include "agora/market/v1/market.pb.h"
#include "agora/tx/v1/tx.pb.h"
#include "consensus/core/Bytes.h"
#include "consensus/core/Messages.h"
#include "node/rpc/TxBroadcaster.h"

namespace agora::node {

// Decodes, checks the kinds, then broadcasts with the request's mode; returns the call's reactor.
grpc::ServerUnaryReactor* admitAction(TxBroadcaster& broadcaster, grpc::CallbackServerContext* ctx,
                                      const agora::market::v1::SignedTxRequest* req,
                                      agora::tx::v1::BroadcastResponse* resp, std::string_view rpc,
                                      std::initializer_list<MsgType> accepted);

}  // namespace agora::node
