#include "node/submit/SubmitCodes.h"

#include "node/mempool/Mempool.h"

namespace agora::node {

ErrorClass errorClassOf(std::uint16_t code) {
    if (code == 0) return ErrorClass::Ok;
    // Ledger codes: 100..199 malformed, 200..299 rejected by state, 300..499 failed in execution.
    if (code < 200) return ErrorClass::InvalidArgument;
    if (code < 500) return ErrorClass::FailedPrecondition;
    if (code >= 600) {
        switch (static_cast<RpcCode>(code)) {
            case RpcCode::WrongMessageKind:
            case RpcCode::UnknownBroadcastMode:
            case RpcCode::MalformedRequest:
            case RpcCode::BatchSize:
                return ErrorClass::InvalidArgument;
        }
        return ErrorClass::Unknown;
    }
    switch (static_cast<AdmitCode>(code)) {
        case AdmitCode::Ok:
            return ErrorClass::Ok;
        case AdmitCode::Malformed:
        case AdmitCode::BadSignature:
            return ErrorClass::InvalidArgument;
        case AdmitCode::Duplicate:
            return ErrorClass::AlreadyExists;
        case AdmitCode::MempoolFull:
        case AdmitCode::AccountFull:
            return ErrorClass::ResourceExhausted;
        case AdmitCode::NonceTooLow:
        case AdmitCode::NonceGap:
        case AdmitCode::ReplacementUnderpriced:
        case AdmitCode::FeeTooLow:
        case AdmitCode::InsufficientBalance:
            return ErrorClass::FailedPrecondition;
    }
    return ErrorClass::Unknown;
}

}  // namespace agora::node
