#include "node/consensus/SignerStateFile.h"

#include <nlohmann/json.hpp>

#include "node/base/Logging.h"

namespace agora::node {

Expected<consensus::SignerState, std::string> SignerStateFile::load() const {
    auto content = readSmallFile(*fs_, path_, 4096);
    if (!content) return Unexpected(content.error().message);
    if (!*content) return consensus::SignerState{};  // nothing signed yet
    const auto j = nlohmann::json::parse((*content)->begin(), (*content)->end(), nullptr, false);
    auto bad = [&](const std::string& why) -> Expected<consensus::SignerState, std::string> {
        return Unexpected(path_.string() + ": corrupt signer state (" + why + "); refusing to sign");
    };
    if (j.is_discarded() || !j.is_object()) return bad("not JSON");
    for (const char* k : {"height", "round", "step"})
        if (!j.contains(k) || !j[k].is_number_unsigned()) return bad(std::string("missing ") + k);
    consensus::SignerState s;
    s.height = j["height"].get<std::uint64_t>();
    const auto round = j["round"].get<std::uint64_t>();
    const auto step = j["step"].get<std::uint64_t>();
    if (round > UINT32_MAX || step > 255) return bad("out of range");
    s.round = static_cast<std::uint32_t>(round);
    s.step = static_cast<std::uint8_t>(step);
    if (j.contains("digest")) {
        if (!j["digest"].is_string()) return bad("digest");
        auto d = Hash256::fromHex(j["digest"].get<std::string>());
        if (!d) return bad("digest");
        s.digest = *d;
    }
    return s;
}

Expected<void, std::string> SignerStateFile::write(const consensus::SignerState& state) {
    nlohmann::json j;
    j["height"] = state.height;
    j["round"] = state.round;
    j["step"] = state.step;
    if (state.digest) j["digest"] = state.digest->toHex();
    const std::string text = j.dump() + "\n";
    auto w = replaceFileDurably(*fs_, path_, asBytes(text));
    if (!w) return Unexpected("signer state: " + w.error().message);
    return {};
}

bool SignerStateFile::persist(const consensus::SignerState& state) {
    auto ok = write(state);
    if (!ok) {
        lastError_ = ok.error();
        moduleLog("consensus")
            ->critical("cannot persist the signer state at height {} round {} step {}: {}", state.height, state.round,
                       state.step, lastError_);
        return false;
    }
    lastError_.clear();
    return true;
}

Expected<void, std::string> SignerStateFile::reset() {
    return write(consensus::SignerState{});
}

}  // namespace agora::node
