#pragma once
// SnapshotSource: one peer as seen by the state syncer. GrpcSnapshotSource
// implements it over agora.p2p.v1.StateSync (manifests, chunks) and
// agora.p2p.v1.BlockSync (the trusted block with its certificate). Nothing a
// source returns is trusted: StateSyncer checks the block against the
// trusted id, the manifest's chain record against that block, and every
// chunk against its app_hash.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "agora/p2p/v1/statesync.grpc.pb.h"
#include "consensus/core/Expected.h"
#include "node/sync/BlockSource.h"
#include "node/sync/GrpcBlockSource.h"

namespace agora::node {

class SnapshotSource {
public:
    virtual ~SnapshotSource() = default;
    virtual const std::string& address() const = 0;
    // Encoded SnapshotManifests.
    virtual Expected<std::vector<Bytes>, std::string> snapshots() = 0;
    // An encoded StateChunk.
    virtual Expected<Bytes, std::string> chunk(std::uint64_t height, std::uint32_t index) = 0;
    // The block at `height` with its certificate.
    virtual Expected<SyncedBlockData, std::string> block(std::uint64_t height) = 0;
};

using SnapshotSourceFactory = std::function<std::unique_ptr<SnapshotSource>(const std::string& address)>;

struct GrpcSnapshotSourceOptions {
    std::uint32_t listDeadlineMs = 5'000;
    std::uint32_t chunkDeadlineMs = 60'000;
    // A chunk is at most 4 MiB unless one value is larger (SnapshotWriter).
    std::uint32_t maxMessageBytes = 64 * 1024 * 1024;
};

class GrpcSnapshotSource final : public SnapshotSource {
public:
    GrpcSnapshotSource(std::string address, GrpcSnapshotSourceOptions options);

    const std::string& address() const override { return address_; }
    Expected<std::vector<Bytes>, std::string> snapshots() override;
    Expected<Bytes, std::string> chunk(std::uint64_t height, std::uint32_t index) override;
    Expected<SyncedBlockData, std::string> block(std::uint64_t height) override;

private:
    std::string address_;
    GrpcSnapshotSourceOptions options_;
    std::unique_ptr<agora::p2p::v1::StateSync::Stub> stub_;
    GrpcBlockSource blocks_;
};

}  // namespace agora::node
