// `agora tx ...`: builds one message, signs it with a keyring key (--from)
// and broadcasts it (--wait = commit mode), or with --generate-only prints
// the signed bytes for `agora tx broadcast` later. Every message type of
// consensus/core/Messages.h has a command (docs/cli.md).
#include <CLI/CLI.hpp>
#include <functional>
#include <istream>
#include <memory>
#include <nlohmann/json.hpp>

#include "agora/tx/v1/tx.grpc.pb.h"
#include "consensus/core/Bytes.h"
#include "consensus/core/Hash256.h"
#include "consensus/core/ResultCode.h"
#include "node/cli/ChainCommands.h"
#include "node/cli/CliError.h"
#include "wallet/Keyring.h"
#include "wallet/TxBuilder.h"
#include "wallet/TxSigner.h"

namespace agora::node::cli {

namespace txpb = agora::tx::v1;
using nlohmann::json;

namespace {

struct TxFlags {
    std::string from;
    std::string fees = "1000";
    std::string memo;
    std::string nonce;  // empty = the account's next nonce, asked from the node
    bool wait = false;
    bool generateOnly = false;
    bool skipSimulation = false;
};

constexpr std::string_view kAutoFees = "auto";

Amount parseAmount(const std::string& text, const std::string& what, bool allowZero = false) {
    auto a = Amount::parse(text);
    if (!a) throw CliError(what + ": '" + text + "' is not an amount (e.g. 1500000, 1500000uagr or 1.5agr)");
    if (!allowZero && a->isZero()) throw CliError(what + " must be positive");
    return *a;
}

Address parseAddress(const std::string& text, const std::string& what, std::string_view prefix = kAccountPrefix) {
    auto a = Address::fromBech32(text, prefix);
    if (!a) throw CliError(what + ": " + std::string(errorName(a.error())));
    return *a;
}

std::uint64_t parseU64(const std::string& text, const std::string& what) {
    try {
        std::size_t used = 0;
        if (text.empty() || text[0] == '-') throw std::invalid_argument(text);
        const auto v = std::stoull(text, &used);
        if (used != text.size()) throw std::invalid_argument(text);
        return v;
    } catch (const std::exception&) {
        throw CliError(what + ": '" + text + "' is not a non-negative integer");
    }
}

// "k=v" pairs, sorted by key as the codec requires.
std::vector<Attribute> parseAttributes(const std::vector<std::string>& items, const std::string& what) {
    std::map<std::string, std::string> sorted;
    for (const auto& item : items) {
        const auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0) throw CliError(what + " takes KEY=VALUE, got '" + item + "'");
        if (!sorted.emplace(item.substr(0, eq), item.substr(eq + 1)).second)
            throw CliError(what + ": key '" + item.substr(0, eq) + "' given twice");
    }
    std::vector<Attribute> out;
    for (auto& [k, v] : sorted) out.push_back({k, v});
    return out;
}

// Canonical decimal as the ledger reads parameter values: digits only, no
// leading zero, at most 2^64 - 1. A narrower parameter's range is the node's
// to check (invalid_param_value).
bool isCanonicalU64(const std::string& text) {
    if (text.empty() || text.size() > 20 || text.find_first_not_of("0123456789") != std::string::npos) return false;
    if (text.size() > 1 && text[0] == '0') return false;
    return text.size() < 20 || text <= "18446744073709551615";
}

// "--change NAME=VALUE" items, sorted by name as the codec requires. A value
// that is not a decimal number is refused before anything is signed, and so
// is a name the node does not know when the node is asked anyway (offline
// signing with --chain-id and --nonce asks nothing: the node then refuses an
// unknown name at admission with unknown_param).
std::vector<ParamChange> parseParamChanges(const CliContext& ctx, const TxFlags& f,
                                           const std::vector<std::string>& items) {
    std::vector<ParamChange> out;
    for (auto& [k, v] : parseAttributes(items, "--change")) {
        if (!isCanonicalU64(v))
            throw CliError("--change " + k + ": '" + v +
                           "' is not a decimal number in the parameter's range (amounts in uagr)");
        out.push_back({k, v});
    }
    if (ctx.chainId.empty() || f.nonce.empty()) {
        const auto names = fetchParamNames(ctx);
        for (const auto& change : out)
            if (names.count(change.key) == 0)
                throw CliError("--change: no parameter named '" + change.key + "' (agora query params lists them)");
    }
    return out;
}

// "cpu=4000,mem=8192,storage=100,gpu:nvidia-a100=2" (cpu in millicores, mem in MiB, storage in GiB).
Resources parseResources(const std::string& text, const std::string& what) {
    Resources r;
    std::map<std::string, std::uint32_t> gpus;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto comma = text.find(',', start);
        const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        const auto eq = item.find('=');
        if (eq == std::string::npos) throw CliError(what + ": expected NAME=NUMBER, got '" + item + "'");
        const std::string name = item.substr(0, eq);
        const std::uint64_t value = parseU64(item.substr(eq + 1), what + " " + name);
        if (name == "cpu")
            r.cpuMillicores = value;
        else if (name == "mem" || name == "memory")
            r.memoryMib = value;
        else if (name == "storage")
            r.storageGib = value;
        else if (name.rfind("gpu:", 0) == 0 && name.size() > 4) {
            if (value > UINT32_MAX) throw CliError(what + ": too many GPUs");
            gpus[name.substr(4)] = static_cast<std::uint32_t>(value);
        } else
            throw CliError(what + ": unknown resource '" + name + "' (cpu, mem, storage, gpu:MODEL)");
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    for (auto& [m, n] : gpus) r.gpus.push_back({m, n});
    return r;
}

Hash256 parseManifestHash(const std::string& text) {
    if (text.empty()) return Hash256{};
    auto h = Hash256::fromHex(text);
    if (!h) throw CliError("--manifest-hash must be 64 hex characters (agora manifest hash FILE prints it)");
    return *h;
}

CloseReason parseReason(const std::string& text) {
    static const std::map<std::string, CloseReason> kReasons = {
        {"completed", CloseReason::Completed},
        {"client_cancelled", CloseReason::ClientCancelled},
        {"provider_terminated", CloseReason::ProviderTerminated},
        {"provider_failed", CloseReason::ProviderFailed},
        {"manifest_timeout", CloseReason::ManifestTimeout},
        {"workload_failed", CloseReason::WorkloadFailed},
        {"insufficient_funds", CloseReason::InsufficientFunds},  // provider, lease in grace
    };
    auto it = kReasons.find(text);
    if (it == kReasons.end())
        throw CliError(
            "--reason must be completed, client_cancelled, provider_terminated, provider_failed, manifest_timeout, "
            "workload_failed or insufficient_funds");
    return it->second;
}

// Runs the tx on the node's latest state without sending it (TxService.Simulate).
txpb::SimulateResponse simulate(CliContext& ctx, const Bytes& raw, bool checkSignature) {
    auto stub = txpb::TxService::NewStub(channel(ctx));
    grpc::ClientContext c;
    deadline(c, 10);
    txpb::SimulateRequest req;
    req.set_tx(std::string(raw.begin(), raw.end()));
    req.set_skip_signature_check(!checkSignature);
    req.set_allow_future_nonce(true);  // the CLI signs with the pending nonce (decision 17)
    txpb::SimulateResponse resp;
    auto s = stub->Simulate(&c, req, &resp);
    if (!s.ok()) rpcFailed(ctx, s);
    return resp;
}

// Refuses a tx the simulation says would fail, with the ledger's code, name
// and message (nothing is sent, no fee is paid).
void requireSimulationOk(CliContext& ctx, const Bytes& raw) {
    const auto sim = simulate(ctx, raw, /*checkSignature=*/true);
    const auto& r = sim.result();
    if (r.code() == 0) return;
    const auto name = resultName(static_cast<ResultCode>(r.code()));
    if (ctx.format() == OutputFormat::Json) {
        json j{{"tx_hash", sha256(raw).toHex()}, {"code", r.code()},  {"name", name},
               {"message", r.message()},         {"simulated", true}, {"height", sim.height()}};
        ctx.out << j.dump() << "\n";
    }
    throw CliError("the tx would fail with code " + std::to_string(r.code()) + " (" + std::string(name) +
                   "): " + r.message() + "; not sent (simulated at height " + std::to_string(sim.height()) +
                   "; --skip-simulation sends it anyway)");
}

// Signs msg with the --from key. Chain id and nonce come from the flags when
// given (then the node is not contacted: offline signing), else from the node.
// --fees auto: the tx is first signed with no fee and simulated; the node
// answers the fee it needs (required_fee) and the tx is signed again with it.
SignedTx signTx(CliContext& ctx, const TxFlags& f, Msg msg) {
    if (f.from.empty()) throw CliError("--from KEY is required");
    const bool autoFees = f.fees == kAutoFees;
    const Amount fee = autoFees ? Amount{} : parseAmount(f.fees, "--fees", true);
    wallet::Keyring ring(ctx.keyringDir.empty() ? wallet::Keyring::defaultDir()
                                                : std::filesystem::path(ctx.keyringDir));
    auto info = ring.info(f.from);
    if (!info) throw CliError(info.error().message());
    const std::string chainId = ctx.chainId.empty() ? fetchStatus(ctx).chain_id() : ctx.chainId;
    const std::uint64_t nonce =
        f.nonce.empty() ? fetchAccount(ctx, info->address.toBech32()).pending_nonce() : parseU64(f.nonce, "--nonce");
    auto passphrases = ctx.passphrases();
    auto material = ring.unlock(f.from, passphrases.get());
    if (!material) throw CliError(material.error().message());
    wallet::TxSigner signer(std::move(material->key));
    auto signWith = [&](Amount withFee) {
        wallet::TxBuilder builder(chainId);
        builder.nonce(nonce).fee(withFee).memo(f.memo).addMsg(msg);
        auto stx = signer.sign(builder);
        if (!stx) throw CliError(stx.error().message());
        return *stx;
    };
    if (!autoFees) return signWith(fee);
    const txpb::SimulateResponse estimate = simulate(ctx, signWith(Amount{}).bytes(), /*checkSignature=*/false);
    return signWith(Amount(estimate.required_fee()));
}

// --generate-only: prints the signed tx instead of broadcasting it.
void printSigned(CliContext& ctx, const SignedTx& stx) {
    const Bytes raw = stx.bytes();
    if (ctx.format() == OutputFormat::Json) {
        json j{{"tx_hash", stx.hash().toHex()}, {"tx", toHex(raw)},
               {"chain_id", stx.body.chainId},  {"signer", stx.body.signerAddress().toBech32()},
               {"nonce", stx.body.nonce},       {"fee", stx.body.fee.toString()}};
        ctx.out << j.dump() << "\n";
    } else {
        ctx.out << toHex(raw) << "\n";
    }
}

// Broadcasts signed tx bytes (sync mode, or commit mode with --wait) and prints the outcome.
void send(CliContext& ctx, const TxFlags& f, const Bytes& raw) {
    const std::string txHash = sha256(raw).toHex();
    auto stub = txpb::TxService::NewStub(channel(ctx));
    grpc::ClientContext c;
    deadline(c, f.wait ? 60 : 10);
    txpb::BroadcastRequest req;
    req.set_tx(std::string(raw.begin(), raw.end()));
    req.set_mode(f.wait ? txpb::BROADCAST_MODE_COMMIT : txpb::BROADCAST_MODE_SYNC);
    txpb::BroadcastResponse resp;
    auto s = stub->Broadcast(&c, req, &resp);
    if (!s.ok()) rpcFailed(ctx, s);

    json events = json::array();
    for (const auto& e : resp.result().events()) {
        json attrs = json::object();
        for (const auto& a : e.attributes()) attrs[a.key()] = a.value();
        events.push_back({{"type", e.type()}, {"attributes", attrs}});
    }
    json j{{"tx_hash", txHash}, {"code", resp.code()}, {"message", resp.message()}};
    if (f.wait) {
        j["height"] = resp.height();
        j["fee_charged"] = std::to_string(resp.result().fee_charged());
        j["events"] = events;
    }
    if (ctx.format() == OutputFormat::Json) {
        ctx.out << j.dump() << "\n";
    } else if (f.wait) {
        ctx.out << "tx " << txHash << " committed at height " << resp.height() << ", code " << resp.code()
                << (resp.message().empty() ? "" : " (" + resp.message() + ")") << "\n";
        for (const auto& e : events)
            ctx.out << "  " << e["type"].get<std::string>() << " " << e["attributes"].dump() << "\n";
    } else {
        ctx.out << "tx " << txHash << " admitted to the mempool\n";
    }
    if (resp.code() != 0) throw CliError("tx failed with code " + std::to_string(resp.code()) + ": " + resp.message());
}

void broadcast(CliContext& ctx, const TxFlags& f, Msg msg) {
    const SignedTx stx = signTx(ctx, f, std::move(msg));
    if (f.generateOnly) {
        printSigned(ctx, stx);
        return;
    }
    const Bytes raw = stx.bytes();
    if (!f.skipSimulation) requireSimulationOk(ctx, raw);
    send(ctx, f, raw);
}

// Adds a subcommand whose callback broadcasts the message built by `make`.
CLI::App* txCommand(CLI::App* parent, CliContext& ctx, const std::shared_ptr<TxFlags>& flags, const std::string& name,
                    const std::string& help, std::function<Msg()> make) {
    auto* cmd = parent->add_subcommand(name, help);
    cmd->callback([&ctx, flags, make = std::move(make)] { broadcast(ctx, *flags, make()); });
    return cmd;
}

CLI::App* group(CLI::App* parent, const std::string& name, const std::string& help) {
    auto* g = parent->add_subcommand(name, help);
    g->require_subcommand(1);
    g->fallthrough();
    return g;
}

}  // namespace

void registerTxCommand(CLI::App& root, CliContext& ctx) {
    CLI::App* tx = root.add_subcommand("tx", "Build, sign and broadcast transactions");
    tx->fallthrough();
    tx->callback([tx] {
        if (tx->get_subcommands().empty()) throw CliError("missing subcommand: agora tx --help lists them");
    });
    auto f = std::make_shared<TxFlags>();
    tx->add_option("--from", f->from, "key name in the keyring that signs and pays")->envname("AGORA_FROM");
    tx->add_option("--fees", f->fees, "fee (uagr or e.g. 0.001agr), or auto: the fee the node asks for this tx")
        ->envname("AGORA_FEES")
        ->capture_default_str();
    tx->add_flag("--skip-simulation", f->skipSimulation,
                 "send without simulating first (by default a tx the node's simulation says would fail is refused "
                 "and not sent)")
        ->envname("AGORA_SKIP_SIMULATION");
    tx->add_option("--memo", f->memo, "memo, at most 256 bytes");
    tx->add_flag("--wait", f->wait, "wait until the tx is committed and print its result and events")
        ->envname("AGORA_WAIT");
    tx->add_option("--nonce", f->nonce,
                   "nonce to sign with (default: the account's pending nonce on the node, counting its mempool)");
    tx->add_flag("--generate-only", f->generateOnly,
                 "sign and print the tx (hex; -o json adds hash, signer, nonce) instead of broadcasting it; "
                 "with --chain-id and --nonce the node is not contacted");

    // Broadcasting bytes signed earlier (--generate-only), possibly on another machine.
    {
        auto hexTx = std::make_shared<std::string>();
        auto* c = tx->add_subcommand("broadcast", "Broadcast a signed tx given as hex (- reads it from stdin)");
        c->add_option("tx_hex", *hexTx, "signed tx bytes in hex, or - for stdin")->required();
        c->callback([&ctx, f, hexTx] {
            std::string text = *hexTx;
            if (text == "-") std::getline(ctx.in, text);
            while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
            auto raw = fromHex(text);
            if (!raw || raw->empty()) throw CliError("tx_hex: not a hex string");
            if (!f->skipSimulation) requireSimulationOk(ctx, *raw);
            send(ctx, *f, *raw);
        });
    }

    // bank
    {
        auto to = std::make_shared<std::string>();
        auto amount = std::make_shared<std::string>();
        auto* c = txCommand(tx, ctx, f, "send", "Send tokens to an address", [to, amount] {
            return Msg(MsgSend{parseAddress(*to, "recipient"), parseAmount(*amount, "amount")});
        });
        c->add_option("to", *to, "recipient agora1... address")->required();
        c->add_option("amount", *amount, "amount")->required();
    }
    // staking
    {
        auto* v = group(tx, "validator", "Create or edit a validator, or unjail it");
        auto key = std::make_shared<std::string>();
        auto moniker = std::make_shared<std::string>();
        auto commission = std::make_shared<std::uint32_t>(0);
        auto stake = std::make_shared<std::string>();
        auto maxCommission = std::make_shared<std::uint32_t>(10'000);
        auto maxChange = std::make_shared<std::uint32_t>(100);
        auto* create = txCommand(v, ctx, f, "create", "Become a validator with a self-stake", [=] {
            auto k = PublicKey::fromHex(*key);
            if (!k || !k->isValid()) throw CliError("--consensus-key must be a 64-hex x-only public key");
            return Msg(MsgCreateValidator{*k, *moniker, *commission, parseAmount(*stake, "--self-stake"),
                                          *maxCommission, *maxChange});
        });
        create->add_option("--consensus-key", *key, "hex x-only key (validator_key.json public_key)")->required();
        create->add_option("--moniker", *moniker, "name")->required();
        create->add_option("--commission-bps", *commission, "commission in basis points (0..10000)");
        create
            ->add_option("--max-commission-bps", *maxCommission,
                         "the most commission this validator will ever charge (commission..10000), fixed for good")
            ->capture_default_str();
        create
            ->add_option("--max-change-bps", *maxChange,
                         "the most one edit moves the commission (0..max commission), fixed for good")
            ->capture_default_str();
        create->add_option("--self-stake", *stake, "self-delegation")->required();

        auto newMoniker = std::make_shared<std::string>();
        auto newCommission = std::make_shared<std::int64_t>(-1);
        auto* edit = txCommand(v, ctx, f, "edit", "Change moniker or commission", [=] {
            MsgEditValidator m;
            if (!newMoniker->empty()) m.moniker = *newMoniker;
            if (*newCommission >= 0) m.commissionBps = static_cast<std::uint32_t>(*newCommission);
            return Msg(m);
        });
        edit->add_option("--moniker", *newMoniker, "new name");
        edit->add_option("--commission-bps", *newCommission, "new commission (0..10000)");
        txCommand(v, ctx, f, "unjail", "Return a jailed validator after its jail period",
                  [] { return Msg(MsgUnjail{}); });

        auto val = std::make_shared<std::string>();
        auto amt = std::make_shared<std::string>();
        auto* d = txCommand(tx, ctx, f, "delegate", "Delegate stake to a validator", [=] {
            return Msg(MsgDelegate{parseAddress(*val, "validator", kValidatorPrefix), parseAmount(*amt, "amount")});
        });
        d->add_option("validator", *val, "agoravaloper1... address")->required();
        d->add_option("amount", *amt, "amount")->required();
        auto* u = txCommand(tx, ctx, f, "undelegate", "Start unbonding a delegation", [=] {
            return Msg(MsgUndelegate{parseAddress(*val, "validator", kValidatorPrefix), parseAmount(*amt, "amount")});
        });
        u->add_option("validator", *val, "agoravaloper1... address")->required();
        u->add_option("amount", *amt, "amount")->required();
    }
    // providers and offers
    {
        auto* p = group(tx, "provider", "Register, update or unbond a compute provider");
        auto host = std::make_shared<std::string>();
        auto attrs = std::make_shared<std::vector<std::string>>();
        auto capacity = std::make_shared<std::string>();
        auto stake = std::make_shared<std::string>();
        auto* reg = txCommand(p, ctx, f, "register", "Register as a provider, bonding stake", [=] {
            return Msg(MsgProviderRegister{*host, parseAttributes(*attrs, "--attr"),
                                           parseResources(*capacity, "--capacity"), parseAmount(*stake, "--stake")});
        });
        reg->add_option("--host", *host, "host URI clients connect to")->required();
        reg->add_option("--attr", *attrs, "attribute KEY=VALUE (repeatable), e.g. region=eu");
        reg->add_option("--capacity", *capacity, "cpu=MILLICORES,mem=MIB,storage=GIB[,gpu:MODEL=N]")->required();
        reg->add_option("--stake", *stake, "stake to bond")->required();

        auto uHost = std::make_shared<std::string>();
        auto uAttrs = std::make_shared<std::vector<std::string>>();
        auto uCapacity = std::make_shared<std::string>();
        auto addStake = std::make_shared<std::string>("0");
        auto* upd = txCommand(p, ctx, f, "update", "Change host, attributes, capacity or add stake", [=] {
            MsgProviderUpdate m;
            if (!uHost->empty()) m.hostUri = *uHost;
            if (!uAttrs->empty()) m.attributes = parseAttributes(*uAttrs, "--attr");
            if (!uCapacity->empty()) m.capacity = parseResources(*uCapacity, "--capacity");
            m.addStake = parseAmount(*addStake, "--add-stake", true);
            return Msg(m);
        });
        upd->add_option("--host", *uHost, "new host URI");
        upd->add_option("--attr", *uAttrs, "replace attributes with these KEY=VALUE (repeatable)");
        upd->add_option("--capacity", *uCapacity, "new capacity");
        upd->add_option("--add-stake", *addStake, "stake to add");
        auto unbondAmt = std::make_shared<std::string>();
        auto* unb = txCommand(p, ctx, f, "unbond", "Start unbonding provider stake",
                              [=] { return Msg(MsgProviderUnbond{parseAmount(*unbondAmt, "amount")}); });
        unb->add_option("amount", *unbondAmt, "amount")->required();

        auto* o = group(tx, "offer", "Set or remove a standing offer");
        auto offerId = std::make_shared<std::uint32_t>(0);
        auto cpu = std::make_shared<std::string>("0");
        auto mem = std::make_shared<std::string>("0");
        auto sto = std::make_shared<std::string>("0");
        auto gpuPrices = std::make_shared<std::vector<std::string>>();
        auto* set = txCommand(o, ctx, f, "set", "Create or replace offer OFFER_ID", [=] {
            PriceSchedule ps{parseAmount(*cpu, "--cpu-price", true),
                             parseAmount(*mem, "--mem-price", true),
                             parseAmount(*sto, "--storage-price", true),
                             {}};
            for (const auto& a : parseAttributes(*gpuPrices, "--gpu-price"))
                ps.gpus.push_back({a.key, parseAmount(a.value, "--gpu-price " + a.key)});
            return Msg(MsgOfferSet{*offerId, ps});
        });
        set->add_option("offer_id", *offerId, "offer id chosen by the provider")->required();
        set->add_option("--cpu-price", *cpu, "uagr per millicore per second");
        set->add_option("--mem-price", *mem, "uagr per MiB per second");
        set->add_option("--storage-price", *sto, "uagr per GiB per second");
        set->add_option("--gpu-price", *gpuPrices, "MODEL=PRICE per GPU per second (repeatable)");
        auto removeId = std::make_shared<std::uint32_t>(0);
        auto* rem =
            txCommand(o, ctx, f, "remove", "Remove offer OFFER_ID", [=] { return Msg(MsgOfferRemove{*removeId}); });
        rem->add_option("offer_id", *removeId, "offer id")->required();
    }
    // market
    {
        auto* j = group(tx, "job", "Post or cancel a job");
        auto res = std::make_shared<std::string>();
        auto cons = std::make_shared<std::vector<std::string>>();
        auto maxPrice = std::make_shared<std::string>();
        auto duration = std::make_shared<std::uint64_t>(0);
        auto window = std::make_shared<std::uint64_t>(0);
        auto minRep = std::make_shared<std::uint32_t>(0);
        auto deposit = std::make_shared<std::string>();
        auto manifestHash = std::make_shared<std::string>();
        auto* create = txCommand(j, ctx, f, "create", "Post a job; the deposit moves into escrow", [=] {
            return Msg(MsgJobCreate{parseResources(*res, "--resources"), parseAttributes(*cons, "--constraint"),
                                    parseAmount(*maxPrice, "--max-price"), *duration, *window, *minRep,
                                    parseAmount(*deposit, "--deposit"), parseManifestHash(*manifestHash)});
        });
        create->add_option("--manifest-hash", *manifestHash, "canonical hash of the workload manifest (hex)");
        create->add_option("--resources", *res, "cpu=MILLICORES,mem=MIB,storage=GIB[,gpu:MODEL=N]")->required();
        create->add_option("--constraint", *cons, "required provider attribute KEY=VALUE (repeatable)");
        create->add_option("--max-price", *maxPrice, "max price per second (uagr)")->required();
        create->add_option("--duration", *duration, "lease duration in seconds of block time")->required();
        create->add_option("--bidding-window", *window, "blocks during which bids are taken")->required();
        create->add_option("--min-reputation", *minRep, "minimum provider score (0 = any)");
        create->add_option("--deposit", *deposit, "escrow deposit (>= max price x duration)")->required();
        auto jobId = std::make_shared<std::string>();
        auto* cancel = txCommand(j, ctx, f, "cancel", "Cancel a job before a bid is accepted (full refund)",
                                 [=] { return Msg(MsgJobCancel{parseU64(*jobId, "job id")}); });
        cancel->add_option("job_id", *jobId, "job id")->required();

        auto* b = group(tx, "bid", "Place, withdraw or accept bids");
        auto bidJob = std::make_shared<std::string>();
        auto price = std::make_shared<std::string>();
        auto bidDeposit = std::make_shared<std::string>("1000000");
        auto* place = txCommand(b, ctx, f, "place", "Bid on a job as a provider", [=] {
            return Msg(MsgBidPlace{parseU64(*bidJob, "job id"), parseAmount(*price, "--price"),
                                   parseAmount(*bidDeposit, "--deposit")});
        });
        place->add_option("job_id", *bidJob, "job id")->required();
        place->add_option("--price", *price, "price per second (uagr)")->required();
        place->add_option("--deposit", *bidDeposit, "bid deposit, refunded when the bid closes")->capture_default_str();
        auto bidId = std::make_shared<std::string>();
        auto* withdraw = txCommand(b, ctx, f, "withdraw", "Withdraw an open bid",
                                   [=] { return Msg(MsgBidWithdraw{parseU64(*bidId, "bid id")}); });
        withdraw->add_option("bid_id", *bidId, "bid id")->required();
        auto acceptId = std::make_shared<std::string>();
        auto* accept = txCommand(b, ctx, f, "accept", "Accept a bid on your job: records a lease",
                                 [=] { return Msg(MsgBidAccept{parseU64(*acceptId, "bid id")}); });
        accept->add_option("bid_id", *acceptId, "bid id")->required();
    }
    // leases
    {
        auto* l = group(tx, "lease", "Lease from an offer, top up, report, close, settle, withdraw");
        auto provider = std::make_shared<std::string>();
        auto offer = std::make_shared<std::uint32_t>(0);
        auto res = std::make_shared<std::string>();
        auto duration = std::make_shared<std::uint64_t>(0);
        auto deposit = std::make_shared<std::string>();
        auto manifestHash = std::make_shared<std::string>();
        auto maxPrice = std::make_shared<std::string>();
        auto offerVersion = std::make_shared<std::string>();
        auto* fromOffer = txCommand(l, ctx, f, "from-offer", "Lease now at a provider's standing offer", [=] {
            return Msg(
                MsgLeaseFromOffer{parseAddress(*provider, "provider"), *offer, parseResources(*res, "--resources"),
                                  *duration, parseAmount(*deposit, "--deposit"), parseManifestHash(*manifestHash),
                                  parseAmount(*maxPrice, "--max-price"), parseU64(*offerVersion, "--offer-version")});
        });
        fromOffer->add_option("--manifest-hash", *manifestHash, "canonical hash of the workload manifest (hex)");
        fromOffer->add_option("provider", *provider, "provider agora1... address")->required();
        fromOffer->add_option("offer_id", *offer, "offer id")->required();
        fromOffer->add_option("--resources", *res, "cpu=..,mem=..,storage=..[,gpu:MODEL=N]")->required();
        fromOffer->add_option("--duration", *duration, "lease duration in seconds of block time")->required();
        fromOffer->add_option("--deposit", *deposit, "escrow deposit")->required();
        fromOffer
            ->add_option("--max-price", *maxPrice,
                         "the most paid per second: refused if the offer prices the resources higher")
            ->required();
        fromOffer
            ->add_option("--offer-version", *offerVersion,
                         "the offer's version as read (query provider): refused if the offer changed since")
            ->required();

        auto leaseId = std::make_shared<std::string>();
        auto amount = std::make_shared<std::string>();
        auto* topUp = txCommand(l, ctx, f, "top-up", "Add funds to a lease's escrow", [=] {
            return Msg(MsgLeaseTopUp{parseU64(*leaseId, "lease id"), parseAmount(*amount, "amount")});
        });
        topUp->add_option("lease_id", *leaseId, "lease id")->required();
        topUp->add_option("amount", *amount, "amount")->required();

        auto autoLease = std::make_shared<std::string>();
        auto perTopUp = std::make_shared<std::string>("0");
        auto cap = std::make_shared<std::string>();
        auto* autoTopUp = txCommand(
            l, ctx, f, "auto-top-up",
            "Let the ledger top a lease up from your balance whenever its escrow runs dry, up to a cap", [=] {
                return Msg(MsgLeaseSetAutoTopUp{parseU64(*autoLease, "lease id"), parseAmount(*perTopUp, "--per", true),
                                                parseAmount(*cap, "--cap", true)});
            });
        autoTopUp->alias("auto-topup");
        autoTopUp->add_option("lease_id", *autoLease, "lease id")->required();
        autoTopUp->add_option("--per", *perTopUp,
                              "pulled at each dry-out (less if the rest of the cap or the balance is)");
        autoTopUp->add_option("--cap", *cap, "the most pulled in all; 0 removes the allowance")->required();

        auto upTo = std::make_shared<std::uint64_t>(0);
        auto avail = std::make_shared<std::uint32_t>(10'000);
        auto metrics = std::make_shared<std::string>(std::string(64, '0'));
        auto* report = txCommand(l, ctx, f, "report", "Report usage/availability of a lease (provider)", [=] {
            auto h = Hash256::fromHex(*metrics);
            if (!h) throw CliError("--metrics-hash must be 64 hex characters");
            return Msg(MsgUsageReport{parseU64(*leaseId, "lease id"), *upTo, *avail, *h});
        });
        report->add_option("lease_id", *leaseId, "lease id")->required();
        report->add_option("--up-to", *upTo, "height the report covers")->required();
        report->add_option("--availability-bps", *avail, "availability in basis points")->capture_default_str();
        report->add_option("--metrics-hash", *metrics, "SHA-256 of the off-chain usage record");

        auto reason = std::make_shared<std::string>("completed");
        auto* close = txCommand(l, ctx, f, "close", "Close a lease (client or provider)", [=] {
            return Msg(MsgLeaseClose{parseU64(*leaseId, "lease id"), parseReason(*reason)});
        });
        close->add_option("lease_id", *leaseId, "lease id")->required();
        close
            ->add_option(
                "--reason", *reason,
                "completed, client_cancelled, provider_terminated, provider_failed, manifest_timeout, workload_failed, "
                "insufficient_funds (provider, lease in its grace period)")
            ->capture_default_str();

        auto rating = std::make_shared<std::uint32_t>(0);
        auto* settle = txCommand(l, ctx, f, "settle", "Settle a closed lease and rate the provider (client)", [=] {
            if (*rating < 1 || *rating > 5) throw CliError("--rating must be 1..5");
            return Msg(MsgLeaseSettle{parseU64(*leaseId, "lease id"), static_cast<std::uint8_t>(*rating)});
        });
        settle->add_option("lease_id", *leaseId, "lease id")->required();
        settle->add_option("--rating", *rating, "1..5")->required();

        auto* withdraw = txCommand(l, ctx, f, "withdraw", "Withdraw what a lease has accrued (provider)",
                                   [=] { return Msg(MsgProviderWithdraw{parseU64(*leaseId, "lease id")}); });
        withdraw->add_option("lease_id", *leaseId, "lease id")->required();
    }
    // governance
    {
        auto* g = group(tx, "gov", "Propose parameter changes, deposit, vote");
        auto title = std::make_shared<std::string>();
        auto changes = std::make_shared<std::vector<std::string>>();
        auto deposit = std::make_shared<std::string>();
        auto* submit = txCommand(g, ctx, f, "submit", "Propose changes to ledger parameters", [=, &ctx] {
            return Msg(MsgGovSubmit{*title, parseParamChanges(ctx, *f, *changes), parseAmount(*deposit, "--deposit")});
        });
        submit->add_option("--title", *title, "a line saying what and why (at most 140 bytes)");
        submit->add_option("--change", *changes, "NAME=VALUE (repeatable), e.g. min_fee=2000 (amounts in uagr)")
            ->required();
        submit->add_option("--deposit", *deposit, "deposit (the vote opens once deposits reach gov_min_deposit)")
            ->required();

        auto proposalId = std::make_shared<std::string>();
        auto amount = std::make_shared<std::string>();
        auto* dep = txCommand(g, ctx, f, "deposit", "Add to a proposal's deposit during its deposit period", [=] {
            return Msg(MsgGovDeposit{parseU64(*proposalId, "proposal id"), parseAmount(*amount, "amount")});
        });
        dep->add_option("proposal_id", *proposalId, "proposal id")->required();
        dep->add_option("amount", *amount, "amount")->required();

        auto option = std::make_shared<std::string>();
        auto* vote =
            txCommand(g, ctx, f, "vote", "Vote on a proposal in its voting period (a later vote replaces it)", [=] {
                auto o = voteOptionFromName(*option);
                if (!o) throw CliError("option must be yes, no, abstain or no_with_veto");
                return Msg(MsgGovVote{parseU64(*proposalId, "proposal id"), *o});
            });
        vote->add_option("proposal_id", *proposalId, "proposal id")->required();
        vote->add_option("option", *option, "yes, no, abstain or no_with_veto")->required();
    }
}

}  // namespace agora::node::cli
