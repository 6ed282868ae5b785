#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "node/manifest/Manifest.h"
#include "support/TempDir.h"

using namespace agora;
using namespace agora::manifest;

namespace {

const std::string kExamples = std::string(AGORA_SOURCE_DIR) + "/docs/examples/";

// The hash of docs/examples/hello-batch.yaml, also printed in docs/manifest.md.
// It changes only with an intentional change of the canonical encoding.
constexpr const char* kHelloBatchHash = "67e937ee526e87173b469d24c5c4c8e1f96340e6b1477822936a67143230c4c8";

Manifest parseOk(const std::string& text) {
    auto m = parseManifest(text);
    if (!m) FAIL(m.error().message);
    return *m;
}

ManifestError parseFails(const std::string& text) {
    auto m = parseManifest(text);
    if (m) FAIL("parsed, expected an error:\n" << text);
    return m.error();
}

void writeFile(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

// A valid manifest with one line replaced, so each error test states only what it breaks.
std::string minimalWith(const std::string& serviceLines) {
    return "version: 1\n"
           "kind: batch\n"
           "services:\n"
           "  main:\n" +
           serviceLines;
}

}  // namespace

TEST_CASE("the hello-batch example parses to the expected values", "[manifest]") {
    auto m = loadManifestFile(kExamples + "hello-batch.yaml");
    if (!m) FAIL(m.error().message);
    REQUIRE(m->version == 1);
    REQUIRE(m->kind == WorkloadKind::Batch);
    REQUIRE(m->resources.cpuMillicores == 500);
    REQUIRE(m->resources.memoryMib == 256);
    REQUIRE(m->resources.storageGib == 1);
    REQUIRE(m->resources.gpus.empty());
    REQUIRE(m->services.size() == 1);
    const Service& s = m->services[0];
    REQUIRE(s.name == "main");
    REQUIRE(s.command ==
            std::vector<std::string>{"/bin/sh", "-c", "echo hello from $AGORA_LEASE_ID; sha256sum /etc/hostname"});
    REQUIRE(s.env.empty());
    REQUIRE(s.workdir.empty());
    REQUIRE(s.expose.empty());
    REQUIRE(s.image.empty());
}

TEST_CASE("the http-service and oom-batch examples parse", "[manifest]") {
    auto web = loadManifestFile(kExamples + "http-service.yaml");
    if (!web) FAIL(web.error().message);
    REQUIRE(web->kind == WorkloadKind::Service);
    REQUIRE(web->resources.cpuMillicores == 1000);
    REQUIRE(web->services.at(0).name == "web");
    REQUIRE(web->services.at(0).command ==
            std::vector<std::string>{"/bin/sh", "-c", "exec python3 -m http.server $PORT"});
    REQUIRE(web->services.at(0).expose == std::vector<Port>{Port{8000, "tcp"}});

    auto oom = loadManifestFile(kExamples + "oom-batch.yaml");
    if (!oom) FAIL(oom.error().message);
    REQUIRE(oom->kind == WorkloadKind::Batch);
    REQUIRE(oom->resources.memoryMib == 64);
    REQUIRE(oom->services.at(0).command.at(0) == "python3");
}

TEST_CASE("every field of a full manifest is read", "[manifest]") {
    const Manifest m = parseOk(R"(version: 1
kind: service
resources:
  cpu: 2
  memory: 1Gi
  storage: 10Gi
  gpus: {nvidia-t4: 1, nvidia-a100: 2}
services:
  worker:
    command: [/app/worker, --threads, "4"]
    env: {MODE: fast, RATE: 0.50, VERBOSE: true, EMPTY: ""}
    workdir: /app
  api:
    command: [/app/api]
    expose: [9000, {port: 53, proto: udp}, {port: 8080}]
    image: registry.example/api:1.2
)");
    REQUIRE(m.kind == WorkloadKind::Service);
    REQUIRE(m.resources.cpuMillicores == 2000);
    REQUIRE(m.resources.memoryMib == 1024);
    REQUIRE(m.resources.storageGib == 10);
    REQUIRE(m.resources.gpus == std::vector<GpuCount>{{"nvidia-a100", 2}, {"nvidia-t4", 1}});
    REQUIRE(m.services.size() == 2);
    const Service& api = m.services[0];  // sorted by name
    REQUIRE(api.name == "api");
    REQUIRE(api.expose == std::vector<Port>{{53, "udp"}, {8080, "tcp"}, {9000, "tcp"}});
    REQUIRE(api.image == "registry.example/api:1.2");
    const Service& worker = m.services[1];
    REQUIRE(worker.command == std::vector<std::string>{"/app/worker", "--threads", "4"});
    // Scalars keep their text: no number or boolean normalisation.
    REQUIRE(worker.env ==
            std::map<std::string, std::string>{{"EMPTY", ""}, {"MODE", "fast"}, {"RATE", "0.50"}, {"VERBOSE", "true"}});
    REQUIRE(worker.workdir == "/app");
}

TEST_CASE("resources are optional and default to zero", "[manifest]") {
    const Manifest m = parseOk(minimalWith("    command: [/bin/true]\n"));
    REQUIRE(m.resources == Resources{});
    const Manifest partial = parseOk(
        "version: 1\nkind: batch\nresources: {memory: 1}\n"
        "services: {main: {command: [/bin/true]}}\n");
    REQUIRE(partial.resources.cpuMillicores == 0);
    REQUIRE(partial.resources.memoryMib == 1);  // one byte rounds up to 1 MiB
}

TEST_CASE("quantities are read exactly with integer arithmetic", "[manifest]") {
    const auto cpu = [](const std::string& q) {
        return parseOk("version: 1\nkind: batch\nresources: {cpu: " + q + "}\nservices: {m: {command: [x]}}\n")
            .resources.cpuMillicores;
    };
    REQUIRE(cpu("500m") == 500);
    REQUIRE(cpu("\"500m\"") == 500);
    REQUIRE(cpu("2") == 2000);
    REQUIRE(cpu("\"2\"") == 2000);
    REQUIRE(cpu("0.5") == 500);
    REQUIRE(cpu("0.25") == 250);
    REQUIRE(cpu("1.001") == 1001);
    REQUIRE(cpu("0.5000") == 500);  // trailing zeros add no precision
    REQUIRE(cpu("1m") == 1);

    const auto memory = [](const std::string& q) {
        return parseOk("version: 1\nkind: batch\nresources: {memory: " + q + "}\nservices: {m: {command: [x]}}\n")
            .resources.memoryMib;
    };
    REQUIRE(memory("256Mi") == 256);
    REQUIRE(memory("1Gi") == 1024);
    REQUIRE(memory("1024Ki") == 1);
    REQUIRE(memory("1025Ki") == 2);  // rounded up
    REQUIRE(memory("512M") == 489);  // 512e6 / 2^20 = 488.28
    REQUIRE(memory("1G") == 954);    // 1e9 / 2^20 = 953.67
    REQUIRE(memory("268435456") == 256);
    REQUIRE(memory("268435457") == 257);
    REQUIRE(memory("1.5Gi") == 1536);
    REQUIRE(memory("0.1Mi") == 1);
    REQUIRE(memory("1Ti") == 1024 * 1024);

    const auto storage = [](const std::string& q) {
        return parseOk("version: 1\nkind: batch\nresources: {storage: " + q + "}\nservices: {m: {command: [x]}}\n")
            .resources.storageGib;
    };
    REQUIRE(storage("1Gi") == 1);
    REQUIRE(storage("10G") == 10);  // 1e10 / 2^30 = 9.31, rounded up
    REQUIRE(storage("1Mi") == 1);
    REQUIRE(storage("1Ti") == 1024);
    REQUIRE(storage("1073741824") == 1);
}

TEST_CASE("bad quantities are InvalidValue naming the field and line", "[manifest]") {
    const auto bad = [](const std::string& field, const std::string& q) {
        return parseFails("version: 1\nkind: batch\nresources:\n  " + field + ": " + q +
                          "\nservices: {m: {command: [x]}}\n");
    };
    for (const std::string q : {"12Qi", "0.0005", "1.5m", "0", "0m", "-1", "1e3", "\"\"", ".5", "5.", "1 Gi",
                                "99999999999999999999", "18446744073709551615"}) {
        INFO(q);
        const ManifestError e = bad("cpu", q);
        REQUIRE(e.code == ManifestErrorCode::InvalidValue);
        REQUIRE(e.field == "resources.cpu");
        REQUIRE(e.line == 4);
    }
    for (const std::string q : {"12Qi", "256MiB", "0", "0Gi", "-1Mi", "1e9", "256mi", "256K", "18446744073709551615Ki",
                                "1.0000000000000000001Mi"}) {
        INFO(q);
        const ManifestError e = bad("memory", q);
        REQUIRE(e.code == ManifestErrorCode::InvalidValue);
        REQUIRE(e.field == "resources.memory");
        REQUIRE(e.line == 4);
    }
    const ManifestError storage = bad("storage", "lots");
    REQUIRE(storage.code == ManifestErrorCode::InvalidValue);
    REQUIRE(storage.field == "resources.storage");
    REQUIRE(storage.message ==
            "line 4: resources.storage: invalid quantity \"lots\" (expected bytes, or a number "
            "with a suffix Ki Mi Gi Ti Pi k M G T P, like \"256Mi\")");

    for (const std::string q : {"true", "[1]", "{a: 1}", "~"}) {
        INFO(q);
        const ManifestError e = bad("cpu", q);
        REQUIRE(e.code == ManifestErrorCode::WrongType);
        REQUIRE(e.field == "resources.cpu");
        REQUIRE(e.line == 4);
    }
}

TEST_CASE("gpus are a map of model to a positive count", "[manifest]") {
    const auto gpus = [](const std::string& g) {
        return parseManifest("version: 1\nkind: batch\nresources:\n  gpus: " + g + "\nservices: {m: {command: [x]}}\n");
    };
    REQUIRE(gpus("{}")->resources.gpus.empty());
    REQUIRE(gpus("{a100: 1}")->resources.gpus == std::vector<GpuCount>{{"a100", 1}});
    auto zero = gpus("{a100: 0}");
    REQUIRE(zero.error().code == ManifestErrorCode::InvalidValue);
    REQUIRE(zero.error().field == "resources.gpus.a100");
    REQUIRE(zero.error().line == 4);
    REQUIRE(gpus("{a100: \"1\"}").error().code == ManifestErrorCode::WrongType);
    REQUIRE(gpus("{a100: 1.5}").error().code == ManifestErrorCode::WrongType);
    REQUIRE(gpus("[a100]").error().code == ManifestErrorCode::WrongType);
    REQUIRE(gpus("{" + std::string(65, 'g') + ": 1}").error().code == ManifestErrorCode::InvalidValue);
    REQUIRE(gpus("{a100: 4294967296}").error().code == ManifestErrorCode::InvalidValue);
}

TEST_CASE("malformed YAML is a Syntax error with its line", "[manifest]") {
    const ManifestError e = parseFails("version: 1\nkind: batch\nservices:\n  main:\n    command: [a, b\n");
    REQUIRE(e.code == ManifestErrorCode::Syntax);
    REQUIRE(e.field.empty());
    REQUIRE(e.line >= 5);
    REQUIRE(e.message.starts_with("line " + std::to_string(e.line) + ": "));

    const ManifestError tab = parseFails("version: 1\nkind: batch\n\tservices: {}\n");
    REQUIRE(tab.code == ManifestErrorCode::Syntax);
    REQUIRE(tab.line == 3);

    const ManifestError twoDocs = parseFails("version: 1\n---\nversion: 1\n");
    REQUIRE(twoDocs.code == ManifestErrorCode::Syntax);
    REQUIRE(twoDocs.line == 3);

    REQUIRE(parseFails("version: 1\nkind: \"\xff\"\n").code == ManifestErrorCode::Syntax);  // not UTF-8
    REQUIRE(parseFails(std::string(200, '[')).code == ManifestErrorCode::Syntax);           // nesting too deep
}

TEST_CASE("a stray comma at document level is a Syntax error, not an endless parse", "[manifest]") {
    // Found by test/fuzz/gateway_request: yaml-cpp's LoadAll never consumes a
    // ',' outside a flow collection and builds empty documents until memory
    // runs out. The last input is the one the fuzzer found.
    const std::vector<std::string> inputs = {
        ",", ", a", ",\n", "version: 1\n---\n,\n",
        ", " + std::string(14, '\x01') + std::string(17, '\x02') + "\x01\x02\x1a@"};
    for (const std::string& text : inputs) {
        const ManifestError e = parseFails(text);
        REQUIRE(e.code == ManifestErrorCode::Syntax);
        REQUIRE(e.message.find("more than one YAML document") != std::string::npos);
    }
}

TEST_CASE("unknown fields are rejected at every level", "[manifest]") {
    SECTION("top level") {
        const ManifestError e = parseFails("version: 1\nkind: batch\nreplicas: 3\nservices: {m: {command: [x]}}\n");
        REQUIRE(e.code == ManifestErrorCode::UnknownField);
        REQUIRE(e.field == "replicas");
        REQUIRE(e.line == 3);
        REQUIRE(e.message == "line 3: replicas: unknown field (expected one of: version, kind, resources, services)");
    }
    SECTION("resources") {
        const ManifestError e =
            parseFails("version: 1\nkind: batch\nresources:\n  cpu: 1\n  mem: 1Gi\nservices: {m: {command: [x]}}\n");
        REQUIRE(e.code == ManifestErrorCode::UnknownField);
        REQUIRE(e.field == "resources.mem");
        REQUIRE(e.line == 5);
    }
    SECTION("service") {
        const ManifestError e = parseFails(minimalWith("    command: [x]\n    args: [y]\n"));
        REQUIRE(e.code == ManifestErrorCode::UnknownField);
        REQUIRE(e.field == "services.main.args");
        REQUIRE(e.line == 6);
    }
    SECTION("expose entry") {
        const ManifestError e = parseFails(minimalWith("    command: [x]\n    expose:\n      - {port: 80, host: 1}\n"));
        REQUIRE(e.code == ManifestErrorCode::UnknownField);
        REQUIRE(e.field == "services.main.expose[0].host");
        REQUIRE(e.line == 7);
    }
}

TEST_CASE("missing required fields name the field and the enclosing map's line", "[manifest]") {
    SECTION("version") {
        const ManifestError e = parseFails("kind: batch\nservices: {m: {command: [x]}}\n");
        REQUIRE(e.code == ManifestErrorCode::MissingField);
        REQUIRE(e.field == "version");
        REQUIRE(e.line == 1);
    }
    SECTION("kind") {
        const ManifestError e = parseFails("version: 1\nservices: {m: {command: [x]}}\n");
        REQUIRE(e.code == ManifestErrorCode::MissingField);
        REQUIRE(e.field == "kind");
    }
    SECTION("services") {
        const ManifestError e = parseFails("version: 1\nkind: batch\n");
        REQUIRE(e.code == ManifestErrorCode::MissingField);
        REQUIRE(e.field == "services");
        REQUIRE(e.message == "line 1: services: missing required field");
    }
    SECTION("command") {
        const ManifestError e = parseFails(minimalWith("    workdir: /app\n"));
        REQUIRE(e.code == ManifestErrorCode::MissingField);
        REQUIRE(e.field == "services.main.command");
        REQUIRE(e.line == 5);
    }
    SECTION("expose port") {
        const ManifestError e = parseFails(minimalWith("    command: [x]\n    expose:\n      - {proto: udp}\n"));
        REQUIRE(e.code == ManifestErrorCode::MissingField);
        REQUIRE(e.field == "services.main.expose[0].port");
        REQUIRE(e.line == 7);
    }
    SECTION("empty document") {
        const ManifestError e = parseFails("# nothing here\n");
        REQUIRE(e.code == ManifestErrorCode::MissingField);
        REQUIRE(e.line == 0);
    }
}

TEST_CASE("wrong types are WrongType with field and line", "[manifest]") {
    SECTION("command is a string, not a list") {
        const ManifestError e = parseFails(minimalWith("    command: echo hello\n"));
        REQUIRE(e.code == ManifestErrorCode::WrongType);
        REQUIRE(e.field == "services.main.command");
        REQUIRE(e.line == 5);
        REQUIRE(e.message == "line 5: services.main.command: expected a non-empty list of strings, got a string");
    }
    SECTION("an argument is a number") {
        const ManifestError e = parseFails(minimalWith("    command: [sleep, 10]\n"));
        REQUIRE(e.code == ManifestErrorCode::WrongType);
        REQUIRE(e.field == "services.main.command[1]");
        REQUIRE(e.line == 5);
        REQUIRE(e.message.find("quote it: \"10\"") != std::string::npos);
    }
    SECTION("plain scalars that YAML's core schema reads as numbers, booleans or null are not strings") {
        // Each plain argument below is not a string; the same text quoted, or a
        // near miss of the grammar, is one.
        const std::vector<std::pair<std::string, std::string>> notStrings = {
            {"-7", "an integer"},    {"+12", "an integer"}, {"0o17", "an integer"}, {"0xBeEf", "an integer"},
            {"1.5", "a number"},     {".5", "a number"},    {"2.", "a number"},     {"1e3", "a number"},
            {"-2.5E-3", "a number"}, {"+.inf", "a number"}, {".NaN", "a number"},   {"True", "a boolean"},
            {"FALSE", "a boolean"},
        };
        for (const auto& [text, kind] : notStrings) {
            INFO(text);
            const ManifestError e = parseFails(minimalWith("    command: [x, " + text + "]\n"));
            REQUIRE(e.code == ManifestErrorCode::WrongType);
            REQUIRE(e.message.find("got " + kind) != std::string::npos);
        }
        for (const std::string text : {"0o8", "0x", "1e", "1.2.3", "e5", ".", "+", "-.nan", "yes", "1_000", "nul"}) {
            INFO(text);
            const Manifest m = parseOk(minimalWith("    command: [x, " + text + "]\n"));
            REQUIRE(m.services.at(0).command.at(1) == text);
        }
    }
    SECTION("version is a string") {
        const ManifestError e = parseFails("version: \"1\"\nkind: batch\nservices: {m: {command: [x]}}\n");
        REQUIRE(e.code == ManifestErrorCode::WrongType);
        REQUIRE(e.field == "version");
        REQUIRE(e.line == 1);
    }
    SECTION("a quoted port") {
        const ManifestError e = parseFails(minimalWith("    command: [x]\n    expose: [\"80\"]\n"));
        REQUIRE(e.code == ManifestErrorCode::WrongType);
        REQUIRE(e.field == "services.main.expose[0]");
        REQUIRE(e.line == 6);
    }
    SECTION("an env value left empty") {
        const ManifestError e = parseFails(minimalWith("    command: [x]\n    env:\n      A: 1\n      B:\n"));
        REQUIRE(e.code == ManifestErrorCode::WrongType);
        REQUIRE(e.field == "services.main.env.B");
        REQUIRE(e.line == 8);
    }
    SECTION("services is a list") {
        const ManifestError e = parseFails("version: 1\nkind: batch\nservices:\n  - main\n");
        REQUIRE(e.code == ManifestErrorCode::WrongType);
        REQUIRE(e.field == "services");
        REQUIRE(e.line == 4);
    }
    SECTION("the document is a list") {
        const ManifestError e = parseFails("- version: 1\n");
        REQUIRE(e.code == ManifestErrorCode::WrongType);
        REQUIRE(e.field.empty());
        REQUIRE(e.line == 1);
    }
    SECTION("an explicit tag") {
        const ManifestError e = parseFails("version: !!int 1\nkind: batch\nservices: {m: {command: [x]}}\n");
        REQUIRE(e.code == ManifestErrorCode::WrongType);
        REQUIRE(e.field == "version");
    }
}

TEST_CASE("invalid values are InvalidValue", "[manifest]") {
    const auto code = [](const std::string& text) { return parseFails(text).code; };
    const auto service = [](const std::string& lines) { return parseFails(minimalWith(lines)); };
    REQUIRE(code("version: 1\nkind: cron\nservices: {m: {command: [x]}}\n") == ManifestErrorCode::InvalidValue);
    REQUIRE(code("version: 1\nkind: batch\nservices: {}\n") == ManifestErrorCode::InvalidValue);
    std::string seventeen = "version: 1\nkind: batch\nservices:\n";
    for (int i = 0; i < 17; ++i) seventeen += "  s" + std::to_string(i) + ": {command: [x]}\n";
    REQUIRE(code(seventeen) == ManifestErrorCode::InvalidValue);

    for (const std::string name : std::vector<std::string>{"Main", "-web", "web_1", "a.b", std::string(64, 'a')}) {
        INFO(name);
        const ManifestError e = parseFails("version: 1\nkind: batch\nservices:\n  " + name + ": {command: [x]}\n");
        REQUIRE(e.code == ManifestErrorCode::InvalidValue);
        REQUIRE(e.field == "services." + name);
        REQUIRE(e.line == 4);
    }
    REQUIRE(parseOk("version: 1\nkind: batch\nservices:\n  " + std::string(63, 'a') + ": {command: [x]}\n")
                .services.size() == 1);
    REQUIRE(parseOk("version: 1\nkind: batch\nservices:\n  0-web-1: {command: [x]}\n").services.size() == 1);

    const ManifestError empty = service("    command: []\n");
    REQUIRE(empty.code == ManifestErrorCode::InvalidValue);
    REQUIRE(empty.message == "line 5: services.main.command: expected a non-empty list of strings");
    REQUIRE(service("    command: [\"\"]\n").field == "services.main.command[0]");
    REQUIRE(service("    command: [x, \"a\\0b\"]\n").field == "services.main.command[1]");
    REQUIRE(service("    command: [x, " + std::string(4097, 'a') + "]\n").code == ManifestErrorCode::InvalidValue);
    REQUIRE(parseOk(minimalWith("    command: [x, " + std::string(4096, 'a') + "]\n")).services.size() == 1);
    std::string manyArgs = "    command: [x";
    for (int i = 0; i < 256; ++i) manyArgs += ", a";
    REQUIRE(service(manyArgs + "]\n").code == ManifestErrorCode::InvalidValue);

    const ManifestError relative = service("    command: [x]\n    workdir: app\n");
    REQUIRE(relative.code == ManifestErrorCode::InvalidValue);
    REQUIRE(relative.field == "services.main.workdir");
    REQUIRE(relative.line == 6);

    REQUIRE(service("    command: [x]\n    expose: [0]\n").field == "services.main.expose[0]");
    REQUIRE(service("    command: [x]\n    expose: [65536]\n").code == ManifestErrorCode::InvalidValue);
    REQUIRE(service("    command: [x]\n    expose: [-1]\n").code == ManifestErrorCode::InvalidValue);
    const ManifestError twice = service("    command: [x]\n    expose:\n      - 80\n      - {port: 80, proto: udp}\n");
    REQUIRE(twice.code == ManifestErrorCode::InvalidValue);
    REQUIRE(twice.field == "services.main.expose[1]");
    REQUIRE(twice.line == 8);
    const ManifestError proto = service("    command: [x]\n    expose: [{port: 80, proto: sctp}]\n");
    REQUIRE(proto.code == ManifestErrorCode::InvalidValue);
    REQUIRE(proto.field == "services.main.expose[0].proto");
    REQUIRE(service("    command: [x]\n    image: \"\"\n").field == "services.main.image");
    REQUIRE(service("    command: [x]\n    env: {1X: a}\n").field == "services.main.env.1X");
    REQUIRE(service("    command: [x]\n    env: {A-B: a}\n").code == ManifestErrorCode::InvalidValue);
}

TEST_CASE("the provider's environment names are reserved", "[manifest]") {
    for (const std::string key : {"PORT", "AGORA_LEASE_ID", "AGORA_"}) {
        INFO(key);
        const ManifestError e =
            parseFails(minimalWith("    command: [x]\n    env:\n      OK: 1\n      " + key + ": x\n"));
        REQUIRE(e.code == ManifestErrorCode::InvalidValue);
        REQUIRE(e.field == "services.main.env." + key);
        REQUIRE(e.line == 8);
        REQUIRE(e.message.find("reserved") != std::string::npos);
    }
    // Only the exact names: lower case and longer names are the workload's own.
    const Manifest m = parseOk(minimalWith("    command: [x]\n    env: {PORTS: 1, agora_x: 2, MY_AGORA_X: 3}\n"));
    REQUIRE(m.services[0].env.size() == 3);
}

TEST_CASE("an unsupported version is reported before other problems", "[manifest]") {
    for (const std::string v : {"2", "0", "99999999999999999999999"}) {
        INFO(v);
        const ManifestError e = parseFails("kind: batch\nversion: " + v + "\nnew_field: x\n");
        REQUIRE(e.code == ManifestErrorCode::UnsupportedVersion);
        REQUIRE(e.field == "version");
        REQUIRE(e.line == 2);
    }
    REQUIRE(parseFails("version: -1\n").code == ManifestErrorCode::UnsupportedVersion);
}

TEST_CASE("duplicate keys are rejected", "[manifest]") {
    SECTION("top level") {
        const ManifestError e = parseFails("version: 1\nkind: batch\nkind: service\nservices: {m: {command: [x]}}\n");
        REQUIRE(e.code == ManifestErrorCode::Syntax);
        REQUIRE(e.field == "kind");
        REQUIRE(e.line == 3);
        REQUIRE(e.message == "line 3: kind: duplicate key \"kind\"");
    }
    SECTION("a service name") {
        const ManifestError e =
            parseFails("version: 1\nkind: batch\nservices:\n  a: {command: [x]}\n  a: {command: [y]}\n");
        REQUIRE(e.code == ManifestErrorCode::Syntax);
        REQUIRE(e.field == "services.a");
        REQUIRE(e.line == 5);
    }
    SECTION("an env key, quoted the second time") {
        const ManifestError e = parseFails(minimalWith("    command: [x]\n    env:\n      A: 1\n      \"A\": 2\n"));
        REQUIRE(e.code == ManifestErrorCode::Syntax);
        REQUIRE(e.field == "services.main.env.A");
        REQUIRE(e.line == 8);
    }
    SECTION("in JSON") {
        const ManifestError e = parseFails(R"({"version": 1, "version": 1})");
        REQUIRE(e.code == ManifestErrorCode::Syntax);
        REQUIRE(e.field == "version");
    }
}

TEST_CASE("oversized input is TooLarge before parsing", "[manifest]") {
    std::string big = "version: 1\n# " + std::string(kMaxManifestBytes, 'x') + "\n";
    const ManifestError e = parseFails(big);
    REQUIRE(e.code == ManifestErrorCode::TooLarge);
    REQUIRE(e.line == 0);
    // Exactly at the limit is still read (and here fails for another reason).
    std::string atLimit = "version: 2\n#";
    atLimit += std::string(kMaxManifestBytes - atLimit.size(), 'x');
    REQUIRE(atLimit.size() == kMaxManifestBytes);
    REQUIRE(parseFails(atLimit).code == ManifestErrorCode::UnsupportedVersion);
}

TEST_CASE("loadManifestFile refuses big, missing and non-regular files", "[manifest]") {
    test::TempDir dir("manifest");
    writeFile(dir.path("big.yaml"), std::string(kMaxManifestBytes + 1, '#'));
    auto big = loadManifestFile(dir.path("big.yaml"));
    REQUIRE(big.error().code == ManifestErrorCode::TooLarge);

    auto missing = loadManifestFile(dir.path("nope.yaml"));
    REQUIRE(missing.error().code == ManifestErrorCode::Unreadable);
    REQUIRE(missing.error().message.find("nope.yaml") != std::string::npos);
    REQUIRE(manifestErrorCodeName(missing.error().code) == "unreadable");

    std::filesystem::create_directories(dir.path("adir"));
    REQUIRE(loadManifestFile(dir.path("adir")).error().code == ManifestErrorCode::Unreadable);

    writeFile(dir.path("ok.yaml"), minimalWith("    command: [x]\n"));
    REQUIRE(loadManifestFile(dir.path("ok.yaml")).hasValue());
}

TEST_CASE("JSON input parses like the equivalent YAML", "[manifest]") {
    const Manifest json = parseOk(R"({
  "services": {"main": {"command": ["/bin/sh", "-c", "echo hello from $AGORA_LEASE_ID; sha256sum /etc/hostname"]}},
  "resources": {"storage": "1073741824", "memory": 268435456, "cpu": 0.5},
  "kind": "batch",
  "version": 1
})");
    auto yaml = loadManifestFile(kExamples + "hello-batch.yaml");
    REQUIRE(yaml.hasValue());
    REQUIRE(json == *yaml);
    REQUIRE(manifestHash(json) == manifestHash(*yaml));

    const ManifestError e = parseFails("{\n  \"version\": 1,\n  \"kind\": \"batch\",\n  \"servces\": {}\n}");
    REQUIRE(e.code == ManifestErrorCode::UnknownField);
    REQUIRE(e.field == "servces");
    REQUIRE(e.line == 4);
}

TEST_CASE("the canonical bytes of hello-batch are exactly as documented", "[manifest]") {
    auto m = loadManifestFile(kExamples + "hello-batch.yaml");
    REQUIRE(m.hasValue());
    const std::string cmd = "echo hello from $AGORA_LEASE_ID; sha256sum /etc/hostname";
    const std::string expected = "11" + toHex(asBytes(std::string_view("agora/manifest/v1"))) +  // domain
                                 "00000001"                                                      // version
                                 "00"                                                            // kind batch
                                 "00000000000001f4"
                                 "0000000000000100"
                                 "0000000000000001"
                                 "00"        // resources
                                 "00000001"  // 1 service
                                 "04" +
                                 toHex(asBytes(std::string_view("main"))) +  // name
                                 "00000003"                                  // argc
                                 "07" +
                                 toHex(asBytes(std::string_view("/bin/sh"))) +    //
                                 "02" + toHex(asBytes(std::string_view("-c"))) +  //
                                 "38" + toHex(asBytes(std::string_view(cmd))) +   // 56 bytes
                                 "00000000"                                       // env
                                 "00"                                             // workdir ""
                                 "00000000"                                       // expose
                                 "00";                                            // image ""
    REQUIRE(cmd.size() == 0x38);
    REQUIRE(toHex(canonicalBytes(*m)) == expected);
    REQUIRE(manifestHash(*m).toHex() == kHelloBatchHash);
    REQUIRE(manifestHash(*m) == sha256(canonicalBytes(*m)));
}

TEST_CASE("the hash ignores syntax, key order, comments and quantity spelling", "[manifest]") {
    const Manifest a = parseOk(R"(version: 1
kind: service
resources: {cpu: 0.5, memory: 256Mi, storage: 1Gi, gpus: {t4: 1, a100: 2}}
services:
  web:
    command: [/srv/web, --port, "$PORT"]
    env: {B: "2", A: "1"}
    expose: [{port: 80}, 53]
  db:
    command: [/srv/db]
)");
    const Manifest b = parseOk(R"(# the same workload, written differently
services:
  db: {command: ["/srv/db"]}   # first this time
  web:
    expose:
      - {proto: udp, port: 53}  # hmm: proto differs from the bare 53 above
      - 80
    env:
      A: 1
      B: 2
    command:
      - /srv/web
      - --port
      - $PORT
kind: "service"
version: 1
resources:
  gpus: {"a100": 2, "t4": 1}
  storage: "1073741824"
  memory: "268435456"
  cpu: 500m
)");
    // The bare 53 is tcp: b says udp, so they differ until b says tcp too.
    REQUIRE(manifestHash(a) != manifestHash(b));
    Manifest bTcp = b;
    bTcp.services[1].expose[0].proto = "tcp";
    REQUIRE(a == bTcp);
    REQUIRE(manifestHash(a) == manifestHash(bTcp));
    REQUIRE(canonicalBytes(a) == canonicalBytes(bTcp));
}

TEST_CASE("any change to the workload changes the hash", "[manifest]") {
    auto base = loadManifestFile(kExamples + "hello-batch.yaml");
    REQUIRE(base.hasValue());
    const Hash256 h = manifestHash(*base);
    std::vector<Manifest> variants;
    const auto variant = [&](auto&& change) {
        Manifest m = *base;
        change(m);
        variants.push_back(m);
    };
    variant([](Manifest& m) { m.kind = WorkloadKind::Service; });
    variant([](Manifest& m) { m.resources.cpuMillicores += 1; });
    variant([](Manifest& m) { m.resources.memoryMib += 1; });
    variant([](Manifest& m) { m.resources.storageGib += 1; });
    variant([](Manifest& m) { m.resources.gpus.push_back({"t4", 1}); });
    variant([](Manifest& m) { m.services[0].name = "other"; });
    variant([](Manifest& m) { m.services[0].command[2] += " "; });
    variant([](Manifest& m) { m.services[0].command.push_back(""); });
    variant([](Manifest& m) { m.services[0].env["A"] = ""; });
    variant([](Manifest& m) { m.services[0].workdir = "/"; });
    variant([](Manifest& m) { m.services[0].expose.push_back({80, "tcp"}); });
    variant([](Manifest& m) { m.services[0].image = "x"; });
    variant([](Manifest& m) { m.services.push_back(Service{"second", {"x"}, {}, "", {}, ""}); });
    // Field boundaries are unambiguous: moving text from one argument to the next is a change.
    variant([](Manifest& m) { m.services[0].command = {"/bin/sh -c", "", m.services[0].command[2]}; });
    std::set<std::string> seen{h.toHex()};
    for (const Manifest& m : variants) REQUIRE(seen.insert(manifestHash(m).toHex()).second);

    Manifest withEnv = *base;
    withEnv.services[0].env["A"] = "1";
    Manifest otherValue = withEnv;
    otherValue.services[0].env["A"] = "2";
    REQUIRE(manifestHash(withEnv) != manifestHash(otherValue));
}

TEST_CASE("the hash is stable across parse and re-parse and independent of construction order", "[manifest]") {
    auto m = loadManifestFile(kExamples + "http-service.yaml");
    REQUIRE(m.hasValue());
    for (int i = 0; i < 3; ++i)
        REQUIRE(manifestHash(*loadManifestFile(kExamples + "http-service.yaml")) == manifestHash(*m));

    // A Manifest built in code with services and GPUs out of order hashes like the parsed one.
    Manifest built;
    built.kind = WorkloadKind::Service;
    built.resources.gpus = {{"t4", 1}, {"a100", 2}};
    built.services = {Service{"b", {"x"}, {}, "", {{90, "tcp"}, {80, "udp"}}, ""}, Service{"a", {"y"}, {}, "", {}, ""}};
    const Manifest parsed = parseOk(R"(version: 1
kind: service
resources: {gpus: {a100: 2, t4: 1}}
services:
  a: {command: [y]}
  b: {command: [x], expose: [{port: 80, proto: udp}, 90]}
)");
    REQUIRE(manifestHash(built) == manifestHash(parsed));
}

TEST_CASE("checkAgainstJob compares each dimension and GPU model", "[manifest]") {
    Manifest m;
    m.resources = Resources{500, 256, 1, {{"a100", 1}}};
    const Resources job{500, 256, 1, {{"a100", 1}, {"t4", 4}}};
    REQUIRE(checkAgainstJob(m, job).hasValue());
    REQUIRE(checkAgainstJob(Manifest{}, Resources{}).hasValue());

    const auto exceeded = [&](Resources need) {
        Manifest big = m;
        big.resources = std::move(need);
        auto r = checkAgainstJob(big, job);
        REQUIRE_FALSE(r.hasValue());
        REQUIRE(r.error().code == ManifestErrorCode::ExceedsJob);
        REQUIRE(manifestErrorCodeName(r.error().code) == "exceeds_job");
        return r.error();
    };
    REQUIRE(exceeded(Resources{501, 256, 1, {}}).field == "resources.cpu");
    const ManifestError memory = exceeded(Resources{500, 257, 1, {}});
    REQUIRE(memory.field == "resources.memory");
    REQUIRE(memory.message == "resources.memory: needs 257 MiB, the job has 256 MiB");
    REQUIRE(exceeded(Resources{500, 256, 2, {}}).field == "resources.storage");
    REQUIRE(exceeded(Resources{0, 0, 0, {{"a100", 2}}}).field == "resources.gpus.a100");
    REQUIRE(exceeded(Resources{0, 0, 0, {{"h100", 1}}}).field == "resources.gpus.h100");
}

TEST_CASE("error code names are stable", "[manifest]") {
    REQUIRE(manifestErrorCodeName(ManifestErrorCode::TooLarge) == "too_large");
    REQUIRE(manifestErrorCodeName(ManifestErrorCode::Syntax) == "syntax");
    REQUIRE(manifestErrorCodeName(ManifestErrorCode::UnknownField) == "unknown_field");
    REQUIRE(manifestErrorCodeName(ManifestErrorCode::MissingField) == "missing_field");
    REQUIRE(manifestErrorCodeName(ManifestErrorCode::WrongType) == "wrong_type");
    REQUIRE(manifestErrorCodeName(ManifestErrorCode::InvalidValue) == "invalid_value");
    REQUIRE(manifestErrorCodeName(ManifestErrorCode::UnsupportedVersion) == "unsupported_version");
    REQUIRE(manifestErrorCodeName(ManifestErrorCode::ExceedsJob) == "exceeds_job");
    REQUIRE(manifestErrorCodeName(ManifestErrorCode::Unreadable) == "unreadable");
    REQUIRE(static_cast<int>(ManifestErrorCode::Unreadable) == 9);
    REQUIRE(workloadKindName(WorkloadKind::Batch) == "batch");
    REQUIRE(workloadKindName(WorkloadKind::Service) == "service");
}
