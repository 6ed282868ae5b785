#pragma once
// The digest every signature in Agora covers:
//
//   SHA-256( string(domain) || string(chain_id) || payload )
//
// with string() the codec's length-prefixed form. The domain separates kinds
// of signed message (a tx signature never verifies as a vote) and the chain
// id separates networks (a tx signed for chain A never verifies on chain B).

#include <string_view>

#include "consensus/core/Bytes.h"
#include "consensus/core/Hash256.h"

namespace agora {

namespace domain {
inline constexpr std::string_view kTx = "agora/tx/v1";
inline constexpr std::string_view kProposal = "agora/proposal/v1";
inline constexpr std::string_view kVote = "agora/vote/v1";
inline constexpr std::string_view kHandshake = "agora/p2p-handshake/v1";
}  // namespace domain

Hash256 signDigest(std::string_view domain, std::string_view chainId, ByteSpan payload);

}  // namespace agora
