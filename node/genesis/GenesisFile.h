#pragma once
// config/genesis.json <-> contracts::Genesis. Strict: unknown fields, wrong
// types, bad addresses/keys and amounts that are not decimal integer strings
// are errors naming the field. Amounts are strings of uagr, never numbers.
//
// The genesis hash (checked in the p2p handshake) is SHA-256 of the
// canonical JSON text: keys sorted, no whitespace (GenesisDoc::canonicalJson).

#include <cstdint>
#include <filesystem>
#include <string>

#include "consensus/core/Expected.h"
#include "consensus/core/Hash256.h"
#include "contracts/Genesis.h"

namespace agora::node {

struct GenesisDoc {
    contracts::Genesis genesis;
    std::uint64_t genesisTimeMs = 0;  // the first block's time must be after this

    static Expected<GenesisDoc, std::string> parse(std::string_view json);
    static Expected<GenesisDoc, std::string> load(const std::filesystem::path& file);
    std::string canonicalJson() const;
    std::string prettyJson() const;
    Hash256 hash() const;
};

}  // namespace agora::node
