#include "node/rpc/TxSimulator.h"

#include <algorithm>

#include "consensus/state/Sandbox.h"
#include "contracts/Genesis.h"

namespace agora::node {

Expected<Simulation, std::string> simulateTx(const Application& app, ByteSpan txBytes, SimulateOptions options) {
    auto tx = decodeSignedTx(txBytes);
    if (!tx) return Unexpected("tx does not decode: " + tx.error().message());
    const auto snap = app.snapshot();
    state::Sandbox sandbox(*snap);
    const auto& genesis = app.genesis().genesis;
    Simulation sim;
    sim.txHash = sha256(txBytes);
    if (snap->version() == 0) {
        // Before the first block the genesis state exists only inside it.
        auto init = contracts::initGenesis(sandbox, genesis);
        if (!init) return Unexpected("genesis: " + init.error().message);
        sim.height = std::max<std::uint64_t>(genesis.initialHeight, 1);
    } else {
        sim.height = snap->version() + 1;
    }
    state::BlockContext block;
    block.height = sim.height;
    block.time = app.lastTimeMs() + 1;
    block.chainId = genesis.chainId;
    contracts::Ledger ledger(genesis.chainId);
    (void)ledger.beginBlock(sandbox, block);
    sim.requiredFee = ledger.requiredFee(sandbox, tx->body);
    if (options.allowFutureNonce) sim.nonceAssumed = ledger.assumeNonce(sandbox, tx->body);
    sim.result = ledger.deliverTx(
        sandbox, *tx,
        options.checkSignature ? contracts::SignatureStatus::Unchecked : contracts::SignatureStatus::Valid);
    return sim;  // the sandbox and everything in it are dropped here
}

}  // namespace agora::node
