// `agora manifest hash|check FILE`: the manifest's canonical hash (what
// `agora tx job create --manifest-hash` and `agora deploy` put on chain) and
// its validation, locally; `check --job` also reads the job from the node.
#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "agora/query/v1/query.grpc.pb.h"
#include "node/cli/ChainCommands.h"
#include "node/cli/CliError.h"
#include "node/cli/ManifestFile.h"
#include "node/cli/WorkloadCommands.h"
#include "node/views/MarketViews.h"

namespace agora::node::cli {

namespace q = agora::query::v1;
using Json = nlohmann::ordered_json;

namespace {

Json resourcesJson(const Resources& r) {
    Json gpus = Json::array();
    for (const auto& g : r.gpus) gpus.push_back(Json{{"model", g.model}, {"count", g.count}});
    return Json{{"cpu_millicores", r.cpuMillicores},
                {"memory_mib", r.memoryMib},
                {"storage_gib", r.storageGib},
                {"gpus", std::move(gpus)}};
}

Json summary(const ManifestFile& f) {
    Json services = Json::array();
    for (const auto& s : f.manifest.services) services.push_back(s.name);
    return Json{{"hash", f.hash.toHex()},
                {"kind", std::string(manifest::workloadKindName(f.manifest.kind))},
                {"services", std::move(services)},
                {"resources", resourcesJson(f.manifest.resources)}};
}

std::string summaryText(const ManifestFile& f) {
    const auto& r = f.manifest.resources;
    std::string s =
        std::string(manifest::workloadKindName(f.manifest.kind)) + ", " + std::to_string(f.manifest.services.size()) +
        (f.manifest.services.size() == 1 ? " service" : " services") + ", cpu " + std::to_string(r.cpuMillicores) +
        "m, memory " + std::to_string(r.memoryMib) + " MiB, storage " + std::to_string(r.storageGib) + " GiB";
    for (const auto& g : r.gpus) s += ", gpu " + g.model + " x" + std::to_string(g.count);
    return s;
}

// The job's resources and manifest hash as the node serves them (its typed JobRecord).
std::pair<Resources, std::string> fetchJob(const CliContext& ctx, std::uint64_t jobId) {
    auto stub = q::QueryService::NewStub(channel(ctx));
    grpc::ClientContext c;
    deadline(c, 30);
    q::JobRequest req;
    req.set_job_id(jobId);
    q::JobResponse resp;
    auto s = stub->Job(&c, req, &resp);
    if (!s.ok()) rpcFailed(ctx, s);
    const auto job = fromProto(resp.job());
    if (!job) throw CliError("node sent a job record that does not parse");
    return {job->resources, job->manifestHash.toHex()};
}

void runHash(CliContext& ctx, const std::string& path) {
    const ManifestFile f = readManifestFile(path);
    if (ctx.format() == OutputFormat::Json)
        ctx.out << summary(f).dump() << "\n";
    else
        ctx.out << f.hash.toHex() << "\n";
}

void runCheck(CliContext& ctx, const std::string& path, const std::optional<std::uint64_t>& jobId) {
    const ManifestFile f = readManifestFile(path);
    Json out = summary(f);
    if (jobId) {
        const auto [resources, jobHash] = fetchJob(ctx, *jobId);
        if (auto fits = manifest::checkAgainstJob(f.manifest, resources); !fits)
            throw CliError(manifestErrorText(path, fits.error()) + " (job " + std::to_string(*jobId) + ")");
        const bool jobHasHash = !jobHash.empty() && jobHash != std::string(64, '0');
        if (jobHasHash && jobHash != f.hash.toHex())
            throw CliError("manifest " + path + " hashes to " + f.hash.toHex() + " but job " + std::to_string(*jobId) +
                           " was posted for " + jobHash);
        out["job_id"] = *jobId;
        out["job_manifest_hash"] = jobHash;
    }
    out["ok"] = true;
    if (ctx.format() == OutputFormat::Json) {
        ctx.out << out.dump() << "\n";
        return;
    }
    ctx.out << path << ": ok (" << summaryText(f) << ")\n";
    if (jobId) ctx.out << "fits job " << *jobId << "\n";
}

}  // namespace

void registerManifestCommand(CLI::App& root, CliContext& ctx) {
    CLI::App* m = root.add_subcommand("manifest", "Hash or validate a workload manifest (docs/manifest.md)");
    m->fallthrough();
    m->require_subcommand(1);
    {
        auto file = std::make_shared<std::string>();
        auto* c =
            m->add_subcommand("hash", "The canonical manifest hash (hex); -o json adds kind, services, resources");
        c->add_option("file", *file, "manifest file (YAML or JSON)")->required();
        c->callback([&ctx, file] { runHash(ctx, *file); });
    }
    {
        auto file = std::make_shared<std::string>();
        auto job = std::make_shared<std::uint64_t>(0);
        auto* c = m->add_subcommand("check", "Validate a manifest; with --job, also against the job on chain");
        c->fallthrough();
        c->add_option("file", *file, "manifest file (YAML or JSON)")->required();
        auto* jobOpt = c->add_option("--job", *job, "job id: the manifest must fit its resources and match its hash");
        c->callback([&ctx, file, job, jobOpt] {
            runCheck(ctx, *file, jobOpt->count() > 0 ? std::optional<std::uint64_t>(*job) : std::nullopt);
        });
    }
}

}  // namespace agora::node::cli
