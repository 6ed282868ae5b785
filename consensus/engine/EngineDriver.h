#pragma once
// Runs an Engine against an EngineHost and a Signer: executes the actions in
// order, turns the application's and the signer's answers into inputs, and
// restarts from the persisted chain state and the WAL. Pure (all I/O is in
// the host). NOT thread-safe: call it from one thread (the node's consensus
// executor).

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "consensus/engine/Engine.h"
#include "consensus/engine/EngineHost.h"
#include "consensus/engine/Signer.h"

namespace agora::consensus {

class EngineDriver {
public:
    // `persisted` is the last PersistChainState (or genesis); `wal` the WAL
    // entries read back at startup (may be empty).
    EngineDriver(EngineConfig config, ChainState persisted, std::vector<Input> wal, const SignatureVerifier& verifier,
                 Signer& signer, EngineHost& host);

    // Starts the height and replays the WAL. Call once.
    void start(std::uint64_t now);
    // A proposal or vote from the network, or a fired timeout.
    void onInput(Input input);
    // After a commit the driver stops before the next height, so one call
    // never runs away (a lone validator would otherwise decide height after
    // height in one call). The host calls resume() when it wants the next
    // height to begin: at once, or after a commit delay.
    bool awaitingResume() const { return finalized_.has_value(); }
    void resume(std::uint64_t now);

    const Engine& engine() const { return engine_; }
    // Sign requests the signer refused (regressions are normal after a replay).
    std::uint64_t refusedSignatures() const { return refused_; }

private:
    void execute(std::vector<Action> actions);
    void drain();

    Engine engine_;
    std::vector<Input> wal_;
    Signer* signer_;
    EngineHost* host_;
    std::deque<Input> pending_;
    std::optional<Input> finalized_;
    std::uint64_t now_ = 0;
    std::uint64_t refused_ = 0;
};

}  // namespace agora::consensus
