#pragma once
// The validator's last-signed state on disk (data/signer_state.json),
// implementing the engine's SignerStateStore: persist() writes the new state
// atomically (temp file, fsync, rename, directory fsync: replaceFileDurably)
// and returns true only once it is durable, so no signature leaves the
// process before the state that forbids a conflicting one is on disk. A
// failed persist is logged with its cause (lastError()); the consensus
// driver halts on it (docs/crash-consistency.md).
//
//   {"height": 12, "round": 0, "step": 3, "digest": "<hex>"}   (digest absent when nothing signed)
//
// A missing file means nothing was signed yet. An unreadable or corrupt file
// is an error: the node refuses to sign rather than guess.

#include <filesystem>
#include <string>

#include "consensus/core/Expected.h"
#include "consensus/engine/Signer.h"
#include "consensus/engine/SignerState.h"
#include "node/base/FileSystem.h"

namespace agora::node {

class SignerStateFile final : public consensus::SignerStateStore {
public:
    explicit SignerStateFile(std::filesystem::path path, FileSystem& fs = posixFileSystem())
        : path_(std::move(path)), fs_(&fs) {}

    Expected<consensus::SignerState, std::string> load() const;
    bool persist(const consensus::SignerState& state) override;
    // Writes the initial (nothing signed) state; used by unsafe-reset.
    Expected<void, std::string> reset();
    // Why the last persist() failed (empty after a success).
    const std::string& lastError() const { return lastError_; }

private:
    Expected<void, std::string> write(const consensus::SignerState& state);
    std::filesystem::path path_;
    FileSystem* fs_;
    std::string lastError_;
};

}  // namespace agora::node
