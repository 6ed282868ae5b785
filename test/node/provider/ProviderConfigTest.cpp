#include <catch2/catch.hpp>

#include <fstream>

#include "node/provider/ProviderConfig.h"
#include "support/TempDir.h"

using namespace agora;
using namespace agora::provider;

TEST_CASE("provider.toml written by render loads back to the same values", "[provider][config]") {
    test::TempDir dir("provider-config");
    ProviderConfig c;
    c.node = "127.0.0.1:9999";
    c.keyName = "prov";
    c.capacity.cpuMillicores = 4000;
    c.capacity.memoryMib = 8192;
    c.capacity.gpus = {{"nvidia-a100", 2}};
    c.attributes = {{"region", "eu"}, {"tier", "gold"}};
    c.marginBps = 12'000;
    c.manifestTimeoutBlocks = 7;
    c.priceScript = "/opt/price.sh";
    c.stake = Amount(123'000'000);
    const std::string path = dir.path("provider.toml");
    std::ofstream(path) << renderProviderConfig(c);
    auto back = loadProviderConfig(path);
    REQUIRE(back.hasValue());
    CHECK(back->node == c.node);
    CHECK(back->keyName == "prov");
    CHECK(back->capacity == c.capacity);
    CHECK(back->attributes == c.attributes);
    CHECK(back->marginBps == 12'000);
    CHECK(back->manifestTimeoutBlocks == 7);
    CHECK(back->priceScript == "/opt/price.sh");
    CHECK(back->stake == Amount(123'000'000));
}

TEST_CASE("provider.toml strings with control characters are rendered escaped and load back", "[provider][config]") {
    // The rendering bug test/fuzz/node_config_toml found in config.toml, here too.
    test::TempDir dir("provider-config-escape");
    ProviderConfig c;
    c.priceScript = "/opt/p\bq\x01r\ts\x7f\\\"";
    c.attributes = {{"reg\nion", "e\ru"}};
    const std::string path = dir.path("provider.toml");
    std::ofstream(path) << renderProviderConfig(c);
    auto back = loadProviderConfig(path);
    REQUIRE(back.hasValue());
    CHECK(back->priceScript == c.priceScript);
    CHECK(back->attributes == c.attributes);
}

TEST_CASE("provider.toml with an unknown key, a wrong type or a bad value is refused naming it", "[provider][config]") {
    test::TempDir dir("provider-config-bad");
    auto load = [&](const std::string& text) {
        const std::string path = dir.path("p.toml");
        std::ofstream(path) << text;
        return loadProviderConfig(path);
    };
    auto unknown = load("[leases]\nmanifest_timeout = 3\n");
    REQUIRE(!unknown);
    CHECK(unknown.error().find("leases.manifest_timeout") != std::string::npos);
    auto section = load("[nope]\nx = 1\n");
    REQUIRE(!section);
    CHECK(section.error().find("[nope]") != std::string::npos);
    auto type = load("[leases]\nmanifest_timeout_blocks = \"soon\"\n");
    REQUIRE(!type);
    CHECK(type.error().find("must be an integer") != std::string::npos);
    auto range = load("[leases]\nmanifest_timeout_blocks = 0\n");
    REQUIRE(!range);
    auto amount = load("[registration]\nstake = \"lots\"\n");
    REQUIRE(!amount);
    CHECK(amount.error().find("registration.stake") != std::string::npos);
    auto syntax = load("[leases\n");
    REQUIRE(!syntax);
    CHECK(syntax.error().find(":1") != std::string::npos);
    auto runtime = load("[runtime]\nkind = \"docker\"\n");
    REQUIRE(!runtime);
    CHECK(!loadProviderConfig(dir.path("missing.toml")));
}

TEST_CASE("provider.toml selects the slurm runtime with its keys, rendered and loaded back",
          "[provider][config][slurm]") {
    test::TempDir dir("provider-config-slurm");
    ProviderConfig c;
    c.runtime = "slurm";
    c.slurmPartition = "gpu";
    c.slurmAccount = "agora";
    c.slurmQos = "market";
    c.slurmSbatchArgs = {"--constraint=ib", "--comment=sold on \"agora\""};
    c.slurmConf = "/etc/slurm/cluster-b.conf";
    c.slurmBinDir = "/opt/slurm/bin";
    c.slurmStateDir = "/shared/agora";
    c.slurmJobNamePrefix = "agora-b-lease-";
    const std::string path = dir.path("provider.toml");
    std::ofstream(path) << renderProviderConfig(c);
    auto back = loadProviderConfig(path);
    REQUIRE(back.hasValue());
    CHECK(back->runtime == "slurm");
    CHECK(back->slurmPartition == "gpu");
    CHECK(back->slurmAccount == "agora");
    CHECK(back->slurmQos == "market");
    CHECK(back->slurmSbatchArgs == c.slurmSbatchArgs);
    CHECK(back->slurmConf == c.slurmConf);
    CHECK(back->slurmBinDir == c.slurmBinDir);
    CHECK(back->slurmStateDir == c.slurmStateDir);
    CHECK(back->slurmJobNamePrefix == c.slurmJobNamePrefix);

    auto load = [&](const std::string& text) {
        const std::string p = dir.path("bad.toml");
        std::ofstream(p) << text;
        return loadProviderConfig(p);
    };
    auto kind = load("[runtime]\nkind = \"kubernetes\"\n");
    REQUIRE(!kind);
    CHECK(kind.error().find("\"process\" or \"slurm\"") != std::string::npos);
    auto args = load("[slurm]\nsbatch_args = \"--constraint=ib\"\n");
    REQUIRE(!args);
    CHECK(args.error().find("slurm.sbatch_args must be a list of strings") != std::string::npos);
    CHECK(!load("[slurm]\njob_name_prefix = \"a b\"\n"));
}
