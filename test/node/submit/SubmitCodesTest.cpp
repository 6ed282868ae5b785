// The one classification of submission codes (node/submit/SubmitCodes.h)
// that gRPC statuses and HTTP statuses are both made from.
#include <catch2/catch.hpp>

#include "consensus/core/ResultCode.h"
#include "node/mempool/Mempool.h"
#include "node/submit/SubmitCodes.h"

using namespace agora;
using namespace agora::node;

TEST_CASE(
    "every ledger code is classed by its range: malformed is an invalid argument, the rest a failed "
    "precondition",
    "[submit][codes]") {
    for (const auto& row : resultCodeTable()) {
        INFO(static_cast<int>(row.code) << " " << row.name);
        const auto code = static_cast<std::uint16_t>(row.code);
        if (code == 0)
            CHECK(errorClassOf(code) == ErrorClass::Ok);
        else if (code < 200)
            CHECK(errorClassOf(code) == ErrorClass::InvalidArgument);
        else
            CHECK(errorClassOf(code) == ErrorClass::FailedPrecondition);
    }
}

TEST_CASE("every mempool and node refusal has a class of its own kind and unknown codes are Unknown",
          "[submit][codes]") {
    CHECK(errorClassOf(static_cast<std::uint16_t>(AdmitCode::Malformed)) == ErrorClass::InvalidArgument);
    CHECK(errorClassOf(static_cast<std::uint16_t>(AdmitCode::BadSignature)) == ErrorClass::InvalidArgument);
    CHECK(errorClassOf(static_cast<std::uint16_t>(AdmitCode::Duplicate)) == ErrorClass::AlreadyExists);
    CHECK(errorClassOf(static_cast<std::uint16_t>(AdmitCode::MempoolFull)) == ErrorClass::ResourceExhausted);
    CHECK(errorClassOf(static_cast<std::uint16_t>(AdmitCode::AccountFull)) == ErrorClass::ResourceExhausted);
    for (auto c : {AdmitCode::NonceTooLow, AdmitCode::NonceGap, AdmitCode::ReplacementUnderpriced, AdmitCode::FeeTooLow,
                   AdmitCode::InsufficientBalance})
        CHECK(errorClassOf(static_cast<std::uint16_t>(c)) == ErrorClass::FailedPrecondition);
    for (std::uint16_t c = 600; c <= 603; ++c) CHECK(errorClassOf(c) == ErrorClass::InvalidArgument);
    for (std::uint16_t c : {510, 599, 604, 699, 65535}) {
        INFO(c);
        CHECK(errorClassOf(c) == ErrorClass::Unknown);
    }
}
