// Fuzz target: the consensus WAL file (data/consensus.wal) as found after a
// crash: torn records, bad checksums, records that do not decode.
// The first input byte picks the shape: even, the rest is the file as is;
// odd, the rest is a list of (u16 length, payload) pieces that are framed as
// records with correct checksums (so payloads reach the Input decoder), the
// last piece left unframed as a torn tail.
// Properties: open() keeps a prefix of good records and cuts the rest (kept +
// dropped = file size); the file it leaves re-opens to the same records with
// nothing dropped; every kept record re-encodes to its payload.
#include "node/consensus/FileWal.h"
#include "test/fuzz/FuzzCheck.h"

namespace {
using namespace agora;

void be32(Bytes& out, std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(v >> s));
}

Bytes framed(const std::uint8_t* data, std::size_t size) {
    Bytes file;
    std::size_t pos = 0;
    while (size - pos >= 2) {
        const std::size_t len = std::min<std::size_t>((data[pos] << 8) | data[pos + 1], size - pos - 2);
        const ByteSpan payload(data + pos + 2, len);
        pos += 2 + len;
        if (pos == size && len > 0) {  // the last piece: a torn record
            file.insert(file.end(), payload.begin(), payload.end());
            break;
        }
        be32(file, static_cast<std::uint32_t>(len));
        be32(file, node::crc32c(payload));
        file.insert(file.end(), payload.begin(), payload.end());
    }
    return file;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static fuzz::ScratchFile file("consensus.wal");
    if (size == 0) return 0;
    const Bytes content = (data[0] & 1) != 0 ? framed(data + 1, size - 1) : Bytes(data + 1, data + size);
    std::vector<consensus::Input> entries;
    {
        auto opened = node::FileWal::open(file.write(content.data(), content.size()));
        fuzz::require(opened.hasValue(), "WAL open failed on a readable file");
        const auto& [wal, result] = *opened;
        fuzz::require(wal.sizeBytes() + result.droppedBytes == content.size(),
                      "kept + dropped bytes differ from the file size");
        std::size_t kept = 0;
        for (const auto& input : result.entries) kept += 8 + encode(input).size();
        fuzz::require(kept == wal.sizeBytes(), "kept records re-encode to a different size than was kept");
        entries = result.entries;
    }
    auto reopened = node::FileWal::open(file.path());
    fuzz::require(reopened.hasValue(), "WAL re-open failed");
    fuzz::require(reopened->second.droppedBytes == 0, "re-opened WAL still drops bytes");
    fuzz::require(reopened->second.entries == entries, "re-opened WAL has different records");
    return 0;
}
