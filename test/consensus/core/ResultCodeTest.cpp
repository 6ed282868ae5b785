// The result-code table (consensus/core/ResultCode.h): every code has a name
// and a message, numbers and names are unique, the numbers clients and block
// results rely on hold, and docs/ledger.md lists exactly the table.

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "consensus/core/ResultCode.h"

using namespace agora;

namespace {

std::string groupText(ResultGroup g) {
    switch (g) {
        case ResultGroup::Success:
            return "success";
        case ResultGroup::Malformed:
            return "malformed";
        case ResultGroup::Rejected:
            return "rejected";
        case ResultGroup::FailedFeeCharged:
            return "failed, fee charged";
    }
    return "?";
}

struct DocRow {
    std::string name;
    std::string group;
    std::string message;
};

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(' ');
    const auto e = s.find_last_not_of(' ');
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// The rows of the table under "## Result codes" in docs/ledger.md, by code.
std::map<unsigned, DocRow> ledgerDocRows() {
    std::ifstream in(std::filesystem::path(AGORA_SOURCE_DIR) / "docs/ledger.md");
    REQUIRE(in);
    std::map<unsigned, DocRow> rows;
    bool inSection = false;
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("## ", 0) == 0) inSection = line.rfind("## Result codes", 0) == 0;
        if (!inSection || line.rfind("| ", 0) != 0) continue;
        std::vector<std::string> cells;
        std::stringstream ss(line.substr(1));
        for (std::string cell; std::getline(ss, cell, '|');) cells.push_back(trim(cell));
        if (cells.size() < 4 || cells[0].empty() || cells[0].find_first_not_of("0123456789") != std::string::npos)
            continue;  // the header row
        std::string name = cells[1];
        if (name.size() >= 2 && name.front() == '`' && name.back() == '`') name = name.substr(1, name.size() - 2);
        INFO(line);
        CHECK(rows.emplace(static_cast<unsigned>(std::stoul(cells[0])), DocRow{name, cells[2], cells[3]}).second);
    }
    return rows;
}

}  // namespace

TEST_CASE("every result code has a name and a message, and numbers and names are unique", "[resultcode]") {
    std::set<std::uint16_t> numbers;
    std::set<std::string_view> names;
    for (const auto& info : resultCodeTable()) {
        INFO(static_cast<unsigned>(info.code));
        CHECK(!info.name.empty());
        CHECK(!info.message.empty());
        CHECK(info.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string_view::npos);
        CHECK(numbers.insert(static_cast<std::uint16_t>(info.code)).second);
        CHECK(names.insert(info.name).second);
        CHECK(resultName(info.code) == info.name);
        CHECK(resultMessage(info.code) == info.message);
        CHECK(findResultCode(info.code) == &info);
    }
    CHECK(resultCodeTable().size() == 83);
}

TEST_CASE("the stable numbers keep their names and messages", "[resultcode]") {
    CHECK(static_cast<unsigned>(ResultCode::Ok) == 0);
    CHECK(resultName(ResultCode::Ok) == "ok");
    CHECK(static_cast<unsigned>(ResultCode::BadSignature) == 105);
    CHECK(resultName(ResultCode::BadSignature) == "bad_signature");
    CHECK(static_cast<unsigned>(ResultCode::UnknownParam) == 120);
    CHECK(resultName(ResultCode::UnknownParam) == "unknown_param");
    CHECK(resultMessage(ResultCode::UnknownParam) == "no ledger parameter has this name");
    CHECK(static_cast<unsigned>(ResultCode::InvalidParamValue) == 121);
    CHECK(resultName(ResultCode::InvalidParamValue) == "invalid_param_value");
    CHECK(resultMessage(ResultCode::InvalidParamValue) ==
          "parameter value is not a decimal number in the parameter's range");
    CHECK(static_cast<unsigned>(ResultCode::BadNonce) == 200);
    CHECK(resultName(ResultCode::BadNonce) == "bad_nonce");
    CHECK(resultMessage(ResultCode::BadNonce) == "nonce is not the account next nonce");
    CHECK(static_cast<unsigned>(ResultCode::BidNotOpen) == 341);
    CHECK(resultName(ResultCode::BidNotOpen) == "bid_not_open");
    CHECK(static_cast<unsigned>(ResultCode::ProposalNotFound) == 370);
    CHECK(resultName(ResultCode::ProposalNotFound) == "proposal_not_found");
    CHECK(static_cast<unsigned>(ResultCode::ProposalNotInDepositPeriod) == 371);
    CHECK(resultName(ResultCode::ProposalNotInDepositPeriod) == "proposal_not_in_deposit_period");
    CHECK(static_cast<unsigned>(ResultCode::ProposalNotInVotingPeriod) == 372);
    CHECK(resultName(ResultCode::ProposalNotInVotingPeriod) == "proposal_not_in_voting_period");
    CHECK(static_cast<unsigned>(ResultCode::InvalidParams) == 373);
    CHECK(resultName(ResultCode::InvalidParams) == "invalid_params");
    CHECK(resultMessage(ResultCode::InvalidParams) == "the changed parameters are inconsistent");
    CHECK(static_cast<unsigned>(ResultCode::CommissionChangeTooSoon) == 382);
    CHECK(resultName(ResultCode::CommissionChangeTooSoon) == "commission_change_too_soon");
    CHECK(static_cast<unsigned>(ResultCode::BidsAboveCapacity) == 390);
    CHECK(resultName(ResultCode::BidsAboveCapacity) == "bids_above_capacity");
    CHECK(static_cast<unsigned>(ResultCode::OfferVersionMismatch) == 391);
    CHECK(resultName(ResultCode::OfferVersionMismatch) == "offer_version_mismatch");
}

TEST_CASE("a number outside the table is named unknown", "[resultcode]") {
    const auto stray = static_cast<ResultCode>(999);
    CHECK(findResultCode(stray) == nullptr);
    CHECK(resultName(stray) == "unknown");
    CHECK(resultMessage(stray) == "unknown");
    CHECK(resultName(static_cast<ResultCode>(122)) == "unknown");
}

TEST_CASE("docs/ledger.md lists exactly the result-code table: same numbers, names and groups", "[resultcode][docs]") {
    const auto rows = ledgerDocRows();
    for (const auto& info : resultCodeTable()) {
        const unsigned code = static_cast<unsigned>(info.code);
        INFO("code " << code << " (" << info.name << ")");
        const auto it = rows.find(code);
        REQUIRE(it != rows.end());
        CHECK(it->second.name == info.name);
        CHECK(it->second.group == groupText(resultGroup(info.code)));
        // The docs may add a clause after the message, never say something else.
        CHECK(it->second.message.rfind(std::string(info.message), 0) == 0);
    }
    for (const auto& [code, row] : rows) {
        INFO("docs/ledger.md row " << code << " (" << row.name << ")");
        CHECK(findResultCode(static_cast<ResultCode>(code)) != nullptr);
    }
}
