// Fuzz target: a block-sync response as a peer streams it (the protobuf
// SyncedBlock of BlockSync.GetBlocks) converted to core types as
// BlockSyncer::applyBlock does: canonical Block and CommitCertificate bytes.
// Properties: both decode only from canonical bytes; the block's content
// hashes and the certificate's vote digest are computable on any decoded value.
#include "agora/p2p/v1/sync.pb.h"
#include "consensus/core/Block.h"
#include "consensus/core/CommitCertificate.h"
#include "test/fuzz/FuzzCheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace agora;
    p2p::v1::SyncedBlock msg;
    if (!msg.ParseFromArray(data, static_cast<int>(size))) return 0;
    const auto spanOf = [](const std::string& s) {
        return ByteSpan(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
    };
    auto block = decodeBlock(spanOf(msg.block()));
    if (block) {
        fuzz::require(encode(*block) == Bytes(msg.block().begin(), msg.block().end()), "synced block is not canonical");
        (void)block->contentMatchesHeader();
        (void)block->id();
    }
    fuzz::checkCanonical<CommitCertificate>(spanOf(msg.commit_certificate()));
    return 0;
}
