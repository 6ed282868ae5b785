// Fuzz target: one tx message (tag byte then fields) of any of the message
// types in consensus/core/Messages.h.
// Properties: what decodes is canonical; its tag has a name and the name maps
// back to the tag.
#include "consensus/core/Messages.h"
#include "test/fuzz/FuzzCheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace agora;
    const ByteSpan in = fuzz::bytesOf(data, size);
    Reader r(in);
    const Msg msg = decodeMsg(r);
    r.expectEnd();
    if (!r.ok()) return 0;
    Writer w;
    encodeMsg(w, msg);
    const Bytes& again = w.data();
    fuzz::require(std::equal(again.begin(), again.end(), in.begin(), in.end()), "message re-encodes differently");
    Reader r2(again);
    const Msg twice = decodeMsg(r2);
    r2.expectEnd();
    fuzz::require(r2.ok() && twice == msg, "re-encoded message does not decode to the same message");
    const MsgType type = msgType(msg);
    fuzz::require(msgTypeFromName(msgTypeName(type)) == type, "message type name does not map back to its tag");
    return 0;
}
