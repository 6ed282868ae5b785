#include "consensus/core/Evidence.h"

#include "consensus/core/Fields.h"

namespace agora {
namespace {

bool sameSlot(const Vote& a, const Vote& b) {
    return a.validator == b.validator && a.height == b.height && a.round == b.round && a.type == b.type;
}

// nil < any block id; block ids by bytes.
bool blockIdLess(const std::optional<Hash256>& a, const std::optional<Hash256>& b) {
    if (!a) return b.has_value();
    if (!b) return false;
    return *a < *b;
}

Expected<void, EvidenceError> checkShape(const Vote& first, const Vote& second) {
    if (!sameSlot(first, second) || first.blockId == second.blockId) return Unexpected(EvidenceError::NotDuplicate);
    if (!blockIdLess(first.blockId, second.blockId)) return Unexpected(EvidenceError::NotOrdered);
    return {};
}

}  // namespace

std::string_view errorName(EvidenceError e) {
    switch (e) {
        case EvidenceError::NotDuplicate:
            return "votes are not a duplicate pair";
        case EvidenceError::NotOrdered:
            return "votes not in canonical order";
        case EvidenceError::BadSignature:
            return "invalid vote signature";
    }
    return "unknown evidence error";
}

Expected<DuplicateVoteEvidence, EvidenceError> DuplicateVoteEvidence::make(const Vote& a, const Vote& b) {
    if (!sameSlot(a, b) || a.blockId == b.blockId) return Unexpected(EvidenceError::NotDuplicate);
    if (blockIdLess(a.blockId, b.blockId)) return DuplicateVoteEvidence{a, b};
    return DuplicateVoteEvidence{b, a};
}

Expected<void, EvidenceError> DuplicateVoteEvidence::verify(std::string_view chainId) const {
    if (auto shape = checkShape(first, second); !shape) return shape;
    if (!first.verifySignature(chainId) || !second.verifySignature(chainId)) {
        return Unexpected(EvidenceError::BadSignature);
    }
    return {};
}

AGORA_CODEC_FIELDS(DuplicateVoteEvidence)
template <typename IO, typename Self>
void DuplicateVoteEvidence::fields(IO& io, Self& m) {
    io(m.first, m.second);
    io.verify([&]() -> std::optional<CodecError> {
        auto shape = checkShape(m.first, m.second);
        if (shape) return std::nullopt;
        return shape.error() == EvidenceError::NotOrdered ? CodecError::NotSorted : CodecError::InvalidValue;
    });
}

}  // namespace agora
