// Fuzz target: the consensus WAL file (data/consensus.wal) as found after a
// crash: any bytes, torn records, bad checksums.
// Properties: open() keeps a prefix of good records and cuts the rest; the
// file it leaves re-opens to the same records with nothing dropped.
#include "node/consensus/FileWal.h"
#include "test/fuzz/FuzzCheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace agora;
    static fuzz::ScratchFile file("consensus.wal");
    std::vector<consensus::Input> entries;
    {
        auto opened = node::FileWal::open(file.write(data, size));
        fuzz::require(opened.hasValue(), "WAL open failed on a readable file");
        const auto& [wal, content] = *opened;
        fuzz::require(wal.sizeBytes() + content.droppedBytes == size, "kept + dropped bytes differ from the file size");
        entries = content.entries;
    }
    auto reopened = node::FileWal::open(file.path());
    fuzz::require(reopened.hasValue(), "WAL re-open failed");
    fuzz::require(reopened->second.droppedBytes == 0, "re-opened WAL still drops bytes");
    fuzz::require(reopened->second.entries == entries, "re-opened WAL has different records");
    return 0;
}
