#pragma once
// The steps of one consensus round, in the order a round goes through them.
// Their numeric values are part of the signer state and the WAL: never
// renumber.

#include <cstdint>
#include <string_view>

namespace agora::consensus {

enum class Step : std::uint8_t {
    Propose = 1,
    Prevote = 2,
    Precommit = 3,
};

inline std::string_view stepName(Step s) {
    switch (s) {
        case Step::Propose:
            return "propose";
        case Step::Prevote:
            return "prevote";
        case Step::Precommit:
            return "precommit";
    }
    return "unknown";
}

inline bool isStep(std::uint8_t v) {
    return v >= 1 && v <= 3;
}

}  // namespace agora::consensus
