#include "node/cli/KeysCommand.h"

#include <unistd.h>
#include <cctype>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>

#include "node/cli/CliError.h"
#include "wallet/AtomicFile.h"
#include "wallet/KeyFile.h"
#include "wallet/Keyring.h"
#include "wallet/Wipe.h"

namespace agora::node::cli {
namespace {

using nlohmann::json;
using wallet::KeyInfo;
using wallet::KeyMaterial;
using wallet::Keyring;
using wallet::Mnemonic;
using wallet::WalletError;

constexpr std::size_t kImportFileMax = std::size_t{64} * 1024;

struct KeysOptions {
    std::string name;
    std::string file;
    std::string hdPath{wallet::kDefaultDerivationPath};
    bool recover = false;
    bool addressOnly = false;
    bool yes = false;
};

[[noreturn]] void fail(const WalletError& e) {
    throw CliError(e.message());
}

template <typename T>
T take(Expected<T, WalletError> r) {
    if (!r) fail(r.error());
    return std::move(r).value();
}

void check(const Expected<void, WalletError>& r) {
    if (!r) fail(r.error());
}

Keyring openKeyring(const CliContext& ctx) {
    return Keyring(ctx.keyringDir.empty() ? Keyring::defaultDir() : std::filesystem::path(ctx.keyringDir));
}

json infoJson(const KeyInfo& k) {
    return json{{"name", k.name},
                {"address", k.address.toBech32()},
                {"public_key", k.publicKey.toHex()},
                {"hd_path", k.hdPath}};
}

void printInfo(const CliContext& ctx, const KeyInfo& k) {
    if (ctx.format() == OutputFormat::Json) {
        ctx.out << infoJson(k).dump() << "\n";
        return;
    }
    ctx.out << "name: " << k.name << "\n"
            << "address: " << k.address.toBech32() << "\n"
            << "public_key: " << k.publicKey.toHex() << "\n"
            << "hd_path: " << (k.hdPath.empty() ? "-" : k.hdPath) << "\n";
}

// The mnemonic for `add --recover`: one line on a terminal, all of stdin otherwise.
std::string readMnemonicInput(const CliContext& ctx) {
    std::string text;
    if (::isatty(STDIN_FILENO) == 1) {
        ctx.err << "Enter your mnemonic: " << std::flush;
        std::getline(ctx.in, text);
    } else {
        text.assign(std::istreambuf_iterator<char>(ctx.in), std::istreambuf_iterator<char>());
    }
    return text;
}

void runAdd(CliContext& ctx, const KeysOptions& o) {
    Keyring ring = openKeyring(ctx);
    check(Keyring::validateName(o.name));
    if (ring.contains(o.name)) throw CliError("key already exists: " + o.name);
    std::optional<Mnemonic> mnemonic;
    if (o.recover) {
        std::string text = readMnemonicInput(ctx);
        auto parsed = Mnemonic::parse(text);
        wallet::wipe(text);
        mnemonic.emplace(take(std::move(parsed)));
    } else {
        mnemonic.emplace(Mnemonic::generate());
    }
    KeyMaterial material = take(KeyMaterial::fromMnemonic(*mnemonic, o.hdPath));
    auto passphrases = ctx.passphrases();
    const KeyInfo info = take(ring.add(o.name, material, passphrases.getNew()));

    if (ctx.format() == OutputFormat::Json) {
        json j = infoJson(info);
        if (!o.recover) j["mnemonic"] = mnemonic->phrase();
        ctx.out << j.dump() << "\n";
        return;
    }
    printInfo(ctx, info);
    if (!o.recover) {
        ctx.out << "\nWrite this mnemonic down and keep it safe: it is the only way to recover the key\n"
                   "if the key file or its passphrase is lost.\n\n"
                << mnemonic->phrase() << "\n";
    }
}

void runList(CliContext& ctx) {
    const Keyring ring = openKeyring(ctx);
    const auto listing = take(ring.list());
    for (const auto& e : listing.unreadable) ctx.err << "warning: skipped " << e.message() << "\n";
    if (ctx.format() == OutputFormat::Json) {
        json arr = json::array();
        for (const auto& k : listing.keys) arr.push_back(infoJson(k));
        ctx.out << arr.dump() << "\n";
        return;
    }
    std::size_t width = 4;
    for (const auto& k : listing.keys) width = std::max(width, k.name.size());
    for (const auto& k : listing.keys) {
        ctx.out << k.name << std::string(width - k.name.size() + 2, ' ') << k.address.toBech32() << "\n";
    }
}

void runShow(CliContext& ctx, const KeysOptions& o) {
    const KeyInfo info = take(openKeyring(ctx).info(o.name));
    if (o.addressOnly) {
        if (ctx.format() == OutputFormat::Json) {
            ctx.out << json{{"address", info.address.toBech32()}}.dump() << "\n";
        } else {
            ctx.out << info.address.toBech32() << "\n";
        }
        return;
    }
    printInfo(ctx, info);
}

void runDelete(CliContext& ctx, const KeysOptions& o) {
    Keyring ring = openKeyring(ctx);
    const KeyInfo info = take(ring.info(o.name));
    if (!o.yes) {
        if (::isatty(STDIN_FILENO) != 1) throw CliError("refusing to delete without confirmation: pass -y");
        ctx.err << "Delete key '" << info.name << "' (" << info.address.toBech32() << ")? [y/N] " << std::flush;
        std::string answer;
        std::getline(ctx.in, answer);
        if (answer != "y" && answer != "Y" && answer != "yes") throw CliError("aborted, key not deleted");
    }
    check(ring.remove(o.name));
    if (ctx.format() == OutputFormat::Json) {
        ctx.out << json{{"deleted", info.name}, {"address", info.address.toBech32()}}.dump() << "\n";
    } else {
        ctx.out << "deleted " << info.name << " (" << info.address.toBech32() << ")\n";
    }
}

void runExport(CliContext& ctx, const KeysOptions& o) {
    const Keyring ring = openKeyring(ctx);
    const KeyInfo info = take(ring.info(o.name));
    auto passphrases = ctx.passphrases();
    const KeyMaterial material = take(ring.unlock(o.name, passphrases.get()));
    if (ctx.format() == OutputFormat::Json) {
        json j{{"name", info.name}, {"address", info.address.toBech32()}, {"hd_path", info.hdPath}};
        j["mnemonic"] = material.mnemonic ? json(material.mnemonic->phrase()) : json(nullptr);
        j["secret_key"] = material.key.toHex();
        ctx.out << j.dump() << "\n";
        return;
    }
    ctx.out << (material.mnemonic ? material.mnemonic->phrase() : material.key.toHex()) << "\n";
}

// FILE holds what `export` prints (a mnemonic or a 64-hex-digit secret key)
// or an Agora key file (JSON), decrypted with the same passphrase that
// encrypts the imported copy.
void runImport(CliContext& ctx, const KeysOptions& o) {
    Keyring ring = openKeyring(ctx);
    check(Keyring::validateName(o.name));
    if (ring.contains(o.name)) throw CliError("key already exists: " + o.name);
    auto content = wallet::readSmallFile(o.file, kImportFileMax);
    if (!content) fail(content.error());
    std::string text = std::move(content).value();
    auto passphrases = ctx.passphrases();

    std::string trimmed = text;
    while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back())) != 0) trimmed.pop_back();
    std::size_t start = 0;
    while (start < trimmed.size() && std::isspace(static_cast<unsigned char>(trimmed[start])) != 0) ++start;
    trimmed.erase(0, start);

    std::optional<KeyMaterial> material;
    if (!trimmed.empty() && trimmed.front() == '{') {
        auto file = wallet::KeyFile::fromJson(trimmed);
        if (!file) fail(file.error());
        material.emplace(take(file->decrypt(passphrases.get())));
    } else if (trimmed.size() == 64 && fromHex(trimmed)) {
        material.emplace(KeyMaterial::fromSecretKey(take(wallet::SecretKey::fromHex(trimmed))));
    } else {
        material.emplace(take(KeyMaterial::fromMnemonic(take(Mnemonic::parse(trimmed)), o.hdPath)));
    }
    wallet::wipe(text);
    wallet::wipe(trimmed);
    const KeyInfo info = take(ring.add(o.name, *material, passphrases.getNew()));
    printInfo(ctx, info);
}

}  // namespace

void registerKeysCommand(CLI::App& root, CliContext& ctx) {
    CLI::App* keys = root.add_subcommand("keys", "Manage the keys in the local keyring");
    keys->fallthrough();
    // Not require_subcommand(): that check runs before unknown words are
    // reported, and "unexpected argument: frobnicate" is the better message.
    keys->callback([keys] {
        if (keys->get_subcommands().empty()) {
            throw CliError("missing subcommand: agora keys add|list|show|delete|export|import (see --help)");
        }
    });
    auto o = std::make_shared<KeysOptions>();

    CLI::App* add = keys->add_subcommand("add", "Create a key from a new 24-word mnemonic, or recover one (--recover)");
    add->fallthrough();
    add->add_option("name", o->name, "Key name")->required();
    add->add_flag("--recover", o->recover, "Read an existing mnemonic from stdin")->envname("AGORA_RECOVER");
    add->add_option("--hd-path", o->hdPath, "BIP-32 derivation path")->envname("AGORA_HD_PATH")->capture_default_str();
    add->callback([&ctx, o] { runAdd(ctx, *o); });

    CLI::App* list = keys->add_subcommand("list", "List the keys in the keyring");
    list->fallthrough();
    list->callback([&ctx] { runList(ctx); });

    CLI::App* show = keys->add_subcommand("show", "Show a key's address and public key");
    show->fallthrough();
    show->add_option("name", o->name, "Key name")->required();
    show->add_flag("-a,--address", o->addressOnly, "Print only the bech32 address")->envname("AGORA_ADDRESS");
    show->callback([&ctx, o] { runShow(ctx, *o); });

    CLI::App* del = keys->add_subcommand("delete", "Delete a key file");
    del->fallthrough();
    del->add_option("name", o->name, "Key name")->required();
    del->add_flag("-y,--yes", o->yes, "Do not ask for confirmation")->envname("AGORA_YES");
    del->callback([&ctx, o] { runDelete(ctx, *o); });

    CLI::App* exp =
        keys->add_subcommand("export", "Print a key's mnemonic (or secret key hex) after a passphrase check");
    exp->fallthrough();
    exp->add_option("name", o->name, "Key name")->required();
    exp->callback([&ctx, o] { runExport(ctx, *o); });

    CLI::App* imp = keys->add_subcommand(
        "import", "Store a key from FILE: a mnemonic, a 64-hex-digit secret key, or an Agora key file");
    imp->fallthrough();
    imp->add_option("name", o->name, "Key name")->required();
    imp->add_option("file", o->file, "File to import")->required();
    imp->add_option("--hd-path", o->hdPath, "BIP-32 derivation path for a mnemonic")
        ->envname("AGORA_HD_PATH")
        ->capture_default_str();
    imp->callback([&ctx, o] { runImport(ctx, *o); });
}

}  // namespace agora::node::cli
