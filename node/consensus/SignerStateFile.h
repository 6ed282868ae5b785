#pragma once
// The validator's last-signed state on disk (data/signer_state.json),
// implementing the engine's SignerStateStore: persist() writes the new state
// atomically (temp file, fsync, rename, directory fsync) and returns true
// only once it is durable, so no signature leaves the process before the
// state that forbids a conflicting one is on disk.
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

namespace agora::node {

class SignerStateFile final : public consensus::SignerStateStore {
public:
    explicit SignerStateFile(std::filesystem::path path) : path_(std::move(path)) {}

    Expected<consensus::SignerState, std::string> load() const;
    bool persist(const consensus::SignerState& state) override;
    // Writes the initial (nothing signed) state; used by unsafe-reset.
    Expected<void, std::string> reset();

private:
    Expected<void, std::string> write(const consensus::SignerState& state);
    std::filesystem::path path_;
};

}  // namespace agora::node
