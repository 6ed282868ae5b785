#pragma once
// The typed protobuf form of the service layer's views (node/query/): one
// function per record, filling the messages of agora.query.v1 (ProviderRecord,
// JobRecord, ...). Field for field the same as the JSON records of
// node/rpc/StateJson (test/node/rpc/RecordProtoTest.cpp holds them equal).

#include "agora/query/v1/query.pb.h"
#include "node/query/StateQueries.h"

namespace agora::node {

void toProto(const Resources& r, agora::query::v1::ResourcesRecord* out);
void toProto(const ProviderView& p, agora::query::v1::ProviderRecord* out);
void toProto(const contracts::Job& j, agora::query::v1::JobRecord* out);
void toProto(const contracts::Bid& b, agora::query::v1::BidRecord* out);
void toProto(const LeaseView& l, agora::query::v1::LeaseRecord* out);
void toProto(const Address& provider, const contracts::ProviderReputation& rep,
             agora::query::v1::ReputationRecord* out);
void toProto(const Address& client, const contracts::ClientRecord& rec, agora::query::v1::ClientRecord* out);
void toProto(const contracts::Validator& v, agora::query::v1::ValidatorRecord* out);
// Every parameter by name, in contracts::paramInfos order.
void toProto(const contracts::Params& p, google::protobuf::RepeatedPtrField<agora::query::v1::ParamRecord>* out);
void toProto(const ProposalView& p, agora::query::v1::ProposalRecord* out);

}  // namespace agora::node
