// The metrics registry and its Prometheus text exposition.
#include <unistd.h>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "node/metrics/MetricsRegistry.h"

using namespace agora::node;

namespace {

// A strict reader of the text format subset we emit: every line is a HELP,
// a TYPE, or a sample `name{l="v",...} value` with escaped label values.
struct Sample {
    std::string name;
    std::vector<std::pair<std::string, std::string>> labels;
    std::string value;
};

bool parseSample(const std::string& line, Sample& out) {
    static const std::regex head(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{|\s))");
    std::smatch m;
    if (!std::regex_search(line, m, head)) return false;
    out.name = m[1];
    std::size_t i = out.name.size();
    if (line[i] == '{') {
        ++i;
        while (line[i] != '}') {
            const std::size_t eq = line.find("=\"", i);
            if (eq == std::string::npos) return false;
            std::string name = line.substr(i, eq - i);
            std::string value;
            i = eq + 2;
            for (;; ++i) {
                if (i >= line.size()) return false;
                if (line[i] == '\\') {
                    const char n = line[++i];
                    if (n == 'n')
                        value += '\n';
                    else if (n == '\\' || n == '"')
                        value += n;
                    else
                        return false;
                } else if (line[i] == '"') {
                    ++i;
                    break;
                } else {
                    value += line[i];
                }
            }
            out.labels.emplace_back(name, value);
            if (line[i] == ',')
                ++i;
            else if (line[i] != '}')
                return false;
        }
        ++i;
    }
    if (line[i] != ' ') return false;
    out.value = line.substr(i + 1);
    static const std::regex number(R"(^([+-]?[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?|\+Inf|-Inf|NaN)$)");
    return std::regex_match(out.value, number);
}

std::vector<Sample> parseAll(const std::string& text) {
    std::vector<Sample> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) continue;
        Sample s;
        INFO(line);
        REQUIRE(parseSample(line, s));
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace

TEST_CASE("counters, gauges and histograms render in the Prometheus text format", "[metrics]") {
    MetricsRegistry r;
    auto& reqs = r.counter("agora_rpc_requests_total", "RPC requests by method and code", {"method", "code"});
    reqs.labels({"Broadcast", "0"}).inc(3);
    reqs.labels({"GetTx", "5"}).inc();
    r.gauge("agora_height", "Last committed height").get().set(42);
    auto& h = r.histogram("agora_block_interval_seconds", "Time between blocks", {0.5, 1, 2.5});
    h.get().observe(0.5);  // le is inclusive
    h.get().observe(0.7);
    h.get().observe(9);

    const std::string expected =
        "# HELP agora_block_interval_seconds Time between blocks\n"
        "# TYPE agora_block_interval_seconds histogram\n"
        "agora_block_interval_seconds_bucket{le=\"0.5\"} 1\n"
        "agora_block_interval_seconds_bucket{le=\"1\"} 2\n"
        "agora_block_interval_seconds_bucket{le=\"2.5\"} 2\n"
        "agora_block_interval_seconds_bucket{le=\"+Inf\"} 3\n"
        "agora_block_interval_seconds_sum 10.2\n"
        "agora_block_interval_seconds_count 3\n"
        "# HELP agora_height Last committed height\n"
        "# TYPE agora_height gauge\n"
        "agora_height 42\n"
        "# HELP agora_rpc_requests_total RPC requests by method and code\n"
        "# TYPE agora_rpc_requests_total counter\n"
        "agora_rpc_requests_total{method=\"Broadcast\",code=\"0\"} 3\n"
        "agora_rpc_requests_total{method=\"GetTx\",code=\"5\"} 1\n";
    CHECK(r.render() == expected);
    CHECK(parseAll(r.render()).size() == 9);
}

TEST_CASE("label values and help text are escaped and round-trip through a text-format reader", "[metrics]") {
    MetricsRegistry r;
    r.counter("agora_odd_total", "Help with \\ backslash\nand newline", {"v"}).labels({"a\"b\\c\nd"}).inc();
    const std::string text = r.render();
    CHECK(text.find("# HELP agora_odd_total Help with \\\\ backslash\\nand newline\n") != std::string::npos);
    CHECK(text.find("agora_odd_total{v=\"a\\\"b\\\\c\\nd\"} 1\n") != std::string::npos);
    const auto samples = parseAll(text);
    REQUIRE(samples.size() == 1);
    CHECK(samples[0].labels[0].second == "a\"b\\c\nd");
}

TEST_CASE("histogram buckets for labelled series are cumulative with +Inf equal to the count", "[metrics]") {
    MetricsRegistry r;
    auto& h = r.histogram("agora_lat_seconds", "latency", {0.1, 1}, {"route"});
    for (int i = 0; i < 5; ++i) h.labels({"/a"}).observe(0.05);
    h.labels({"/b"}).observe(3);
    const auto samples = parseAll(r.render());
    std::map<std::string, std::string> byKey;
    for (const auto& s : samples) {
        std::string key = s.name;
        for (const auto& [k, v] : s.labels) key += "," + k + "=" + v;
        byKey[key] = s.value;
    }
    CHECK(byKey["agora_lat_seconds_bucket,route=/a,le=0.1"] == "5");
    CHECK(byKey["agora_lat_seconds_bucket,route=/a,le=+Inf"] == "5");
    CHECK(byKey["agora_lat_seconds_count,route=/a"] == "5");
    CHECK(byKey["agora_lat_seconds_bucket,route=/b,le=1"] == "0");
    CHECK(byKey["agora_lat_seconds_bucket,route=/b,le=+Inf"] == "1");
    CHECK(byKey["agora_lat_seconds_sum,route=/b"] == "3");
}

TEST_CASE("registration conflicts and wrong label counts are rejected, same definitions are shared", "[metrics]") {
    MetricsRegistry r;
    auto& a = r.counter("agora_x_total", "x", {"k"});
    CHECK(&r.counter("agora_x_total", "x", {"k"}) == &a);
    CHECK_THROWS_AS(r.gauge("agora_x_total", "x", {"k"}), std::invalid_argument);
    CHECK_THROWS_AS(r.counter("agora_x_total", "x", {"other"}), std::invalid_argument);
    CHECK_THROWS_AS(r.counter("9bad", "x"), std::invalid_argument);
    CHECK_THROWS_AS(r.counter("agora_y_total", "y", {"__reserved"}), std::invalid_argument);
    CHECK_THROWS_AS(r.histogram("agora_h", "h", {1, 1}), std::invalid_argument);
    CHECK_THROWS_AS(r.histogram("agora_h2", "h", {1}, {"le"}), std::invalid_argument);
    CHECK_THROWS_AS(a.labels({}), std::invalid_argument);
    CHECK_THROWS_AS(a.labels({"1", "2"}), std::invalid_argument);
}

TEST_CASE("concurrent updates are all counted and collectors run before a render", "[metrics]") {
    MetricsRegistry r;
    auto& c = r.counter("agora_c_total", "c", {"t"});
    auto& h = r.histogram("agora_h_seconds", "h", {1});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 10'000; ++i) {
                c.labels({std::to_string(i % 3)}).inc();
                h.get().observe(t);
            }
        });
    }
    for (auto& t : threads) t.join();
    CHECK(c.labels({"0"}).value() + c.labels({"1"}).value() + c.labels({"2"}).value() == 40'000);
    CHECK(h.get().cumulativeCounts().back() == 40'000);
    CHECK(h.get().cumulativeCounts().front() == 20'000);  // observations 0 and 1 are <= 1

    std::int64_t height = 7;
    auto& g = r.gauge("agora_height", "h");
    r.addCollector([&] { g.get().set(height); });
    height = 8;
    CHECK(r.render().find("agora_height 8\n") != std::string::npos);
}

TEST_CASE("the rendered text parses with prometheus_client when python3-prometheus-client is installed", "[metrics]") {
    if (std::system("/usr/bin/python3 -c 'import prometheus_client' 2>/dev/null") != 0) {
        WARN("python3-prometheus-client is not installed: format checked by the C++ reader only");
        return;
    }
    MetricsRegistry r;
    r.counter("agora_requests_total", "Requests \\ by\nroute", {"route", "code"}).labels({"/v1/x\"y", "200"}).inc(5);
    r.gauge("agora_peers", "Peers").get().set(-1);
    auto& h = r.histogram("agora_interval_seconds", "Interval", {0.25, 1.5}, {"chain"});
    h.labels({"a"}).observe(0.1);
    h.labels({"a"}).observe(2);
    const std::string path =
        (std::filesystem::temp_directory_path() / ("agora-metrics-" + std::to_string(::getpid()) + ".prom")).string();
    std::ofstream(path) << r.render();
    const std::string script =
        "import sys\n"
        "from prometheus_client.parser import text_string_to_metric_families as p\n"
        "fams = {f.name: f for f in p(open(sys.argv[1]).read())}\n"
        "c = fams.get('agora_requests') or fams['agora_requests_total']  # older parsers keep _total\n"
        "assert c.type == 'counter', fams\n"
        "s = c.samples[0]\n"
        "assert s.labels == {'route': '/v1/x\"y', 'code': '200'} and s.value == 5, s\n"
        "assert c.documentation == 'Requests \\\\ by\\nroute', c.documentation\n"
        "assert fams['agora_peers'].samples[0].value == -1\n"
        "h = {(x.name, x.labels.get('le')): x.value for x in fams['agora_interval_seconds'].samples}\n"
        "assert h[('agora_interval_seconds_bucket', '0.25')] == 1 and h[('agora_interval_seconds_bucket', '+Inf')] == "
        "2, h\n"
        "assert h[('agora_interval_seconds_count', None)] == 2 and h[('agora_interval_seconds_sum', None)] == 2.1, h\n";
    const std::string scriptPath = path + ".py";
    std::ofstream(scriptPath) << script;
    const int rc = std::system(("/usr/bin/python3 " + scriptPath + " " + path).c_str());
    std::remove(path.c_str());
    std::remove(scriptPath.c_str());
    CHECK(rc == 0);
}
