#include <catch2/catch.hpp>

#include "node/provider/runtime/HostCapacity.h"
#include "support/TempDir.h"

using namespace agora;
using namespace agora::provider;

TEST_CASE("host capacity: cores, memory and disk are discovered from this host", "[runtime]") {
    agora::test::TempDir tmp("host-capacity");
    const Resources r = discoverHostCapacity(tmp.path(""));
    CHECK(r.cpuMillicores >= 1000);
    CHECK(r.cpuMillicores % 1000 == 0);
    CHECK(r.memoryMib > 0);
    CHECK(r.storageGib > 0);
}

TEST_CASE("host capacity: nvidia-smi names become counted marketplace models", "[runtime]") {
    const auto gpus = countGpuModels({"NVIDIA A100-SXM4-40GB", "NVIDIA A100-SXM4-40GB", "Tesla T4", ""});
    REQUIRE(gpus.size() == 2);
    CHECK(gpus[0].model == "nvidia-a100-sxm4-40gb");
    CHECK(gpus[0].count == 2);
    CHECK(gpus[1].model == "tesla-t4");
    CHECK(gpus[1].count == 1);
}
