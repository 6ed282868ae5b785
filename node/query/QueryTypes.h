#pragma once
// The vocabulary of the service layer's reads (node/query/, design decision
// 38): what a failed read says (QueryError) and how listings page.
//
// A read returns a typed view (a struct of ledger records and derived values)
// or a QueryError; it never returns JSON or protobuf. The adapters map the
// error once each: gRPC (node/rpc/QueryStatus.h) InvalidArgument ->
// INVALID_ARGUMENT, NotFound -> NOT_FOUND, DataLoss -> DATA_LOSS; HTTP
// (node/gateway/routes/RouteSupport) 400 invalid_argument, 404 not_found,
// 500 data_loss. A state read that throws (a storage failure) is caught at
// each adapter's boundary: gRPC INTERNAL, HTTP 500 internal.

#include <cstdint>
#include <string>
#include <vector>

#include "consensus/core/Bytes.h"
#include "consensus/core/Expected.h"

namespace agora::node {

enum class QueryErrorKind : std::uint8_t { InvalidArgument, NotFound, DataLoss };

struct QueryError {
    QueryErrorKind kind = QueryErrorKind::InvalidArgument;
    std::string message;
};

template <typename T>
using QueryResult = Expected<T, QueryError>;

inline constexpr std::uint32_t kDefaultPageLimit = 100;
inline constexpr std::uint32_t kMaxPageLimit = 1000;
// Records a filtered listing examines per page (bounds the cost of one call).
inline constexpr std::size_t kScanBudget = 10'000;

struct PageSpec {
    Bytes start;                              // empty = from the beginning
    std::uint32_t limit = kDefaultPageLimit;  // already defaulted and capped
};
// limit 0 means the default; anything above kMaxPageLimit is capped.
PageSpec pageSpec(ByteSpan cursor, std::uint32_t limit);

template <typename T>
struct Page {
    std::vector<T> items;
    Bytes nextKey;  // empty when there is nothing more
};

}  // namespace agora::node
