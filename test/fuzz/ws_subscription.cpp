// Fuzz target: a WebSocket text frame on /v1/ws: the JSON message and its
// event filter, checked as WsSession::onMessage and subscribe do.
// Properties: parsing never throws; a filter that parses prints (toJson) to
// JSON that parses to the same filter.
#include <nlohmann/json.hpp>

#include "node/http/WsEventFilter.h"
#include "test/fuzz/FuzzCheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace agora;
    using nlohmann::json;
    const json msg = json::parse(fuzz::textOf(data, size), nullptr, false);
    if (msg.is_discarded() || !msg.is_object()) return 0;
    const auto op = msg.find("op");
    if (op == msg.end() || !op->is_string()) return 0;
    (void)msg.value("id", json());
    if (*op != "subscribe") return 0;
    auto filter = node::WsEventFilter::fromJson(msg.value("filter", json()));
    if (!filter) return 0;
    auto again = node::WsEventFilter::fromJson(filter->toJson());
    fuzz::require(again.hasValue(), "printed filter does not parse");
    fuzz::require(again->types == filter->types && again->attributes == filter->attributes,
                  "filter does not round-trip through JSON");
    const auto from = msg.find("from_height");
    if (from != msg.end() && from->is_number_unsigned()) (void)from->get<std::uint64_t>();
    return 0;
}
