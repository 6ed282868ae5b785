#pragma once
// A small thread-safe metrics registry rendering the Prometheus text
// exposition format (version 0.0.4). Families are registered once by name
// (re-registering with the same type, help and labels returns the existing
// family; a conflicting one throws std::invalid_argument: that is a
// programming error, not input). Series are created on first use of a label
// set and live as long as the registry, so the references handed out stay
// valid. Updating a series is lock-free (atomics); creating one and
// rendering take a per-family mutex.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace agora::node {

// Monotonic counter (integer: every counter we keep counts things).
class Counter {
public:
    void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
    std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

// A value that goes up and down (integer; use base units such as bytes).
class Gauge {
public:
    void set(std::int64_t v) { value_.store(v, std::memory_order_relaxed); }
    void inc(std::int64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
    void dec(std::int64_t n = 1) { value_.fetch_sub(n, std::memory_order_relaxed); }
    std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::int64_t> value_{0};
};

// Histogram with fixed upper bounds (ascending, finite); +Inf is implicit.
// Each bucket holds its own (non-cumulative) count, so a render always shows
// monotone cumulative buckets with +Inf equal to _count.
class Histogram {
public:
    explicit Histogram(std::vector<double> bounds);
    void observe(double v);
    const std::vector<double>& bounds() const { return bounds_; }
    // Cumulative counts per bound, then +Inf (size bounds()+1).
    std::vector<std::uint64_t> cumulativeCounts() const;
    double sum() const { return sum_.load(std::memory_order_relaxed); }

private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;
    std::atomic<double> sum_{0.0};
};

enum class MetricType { Counter, Gauge, Histogram };

// One metric name with its label names; series keyed by label values.
template <typename Series>
class MetricFamily {
public:
    MetricFamily(std::string name, std::string help, std::vector<std::string> labelNames,
                 std::function<std::unique_ptr<Series>()> make)
        : name_(std::move(name)), help_(std::move(help)), labelNames_(std::move(labelNames)), make_(std::move(make)) {}

    // The series for these label values (same count and order as the label
    // names, else std::invalid_argument). The reference stays valid.
    Series& labels(const std::vector<std::string>& values);
    // The series of a family without labels.
    Series& get() { return labels({}); }

    const std::string& name() const { return name_; }
    const std::string& help() const { return help_; }
    const std::vector<std::string>& labelNames() const { return labelNames_; }
    // Calls f(labelValues, series) for every series in label-value order.
    template <typename F>
    void forEach(F&& f) const {
        std::lock_guard lock(mu_);
        for (const auto& [values, series] : series_) f(values, *series);
    }

private:
    std::string name_;
    std::string help_;
    std::vector<std::string> labelNames_;
    std::function<std::unique_ptr<Series>()> make_;
    mutable std::mutex mu_;
    std::map<std::vector<std::string>, std::unique_ptr<Series>> series_;
};

using CounterFamily = MetricFamily<Counter>;
using GaugeFamily = MetricFamily<Gauge>;
using HistogramFamily = MetricFamily<Histogram>;

class MetricsRegistry {
public:
    MetricsRegistry() = default;
    MetricsRegistry(const MetricsRegistry&) = delete;
    MetricsRegistry& operator=(const MetricsRegistry&) = delete;

    CounterFamily& counter(const std::string& name, const std::string& help,
                           const std::vector<std::string>& labelNames = {});
    GaugeFamily& gauge(const std::string& name, const std::string& help, const std::vector<std::string>& labelNames = {});
    HistogramFamily& histogram(const std::string& name, const std::string& help, const std::vector<double>& bounds,
                               const std::vector<std::string>& labelNames = {});

    // Runs before every render, e.g. to copy the chain height into a gauge
    // (collectors must not register new families).
    void addCollector(std::function<void()> collector);

    // The whole registry in the Prometheus text format, families sorted by name.
    std::string render() const;

    // Default latency buckets in seconds (5 ms .. 10 s).
    static std::vector<double> defaultSecondsBuckets();

private:
    struct Entry {
        MetricType type;
        std::vector<double> bounds;  // histograms only
        std::unique_ptr<CounterFamily> counters;
        std::unique_ptr<GaugeFamily> gauges;
        std::unique_ptr<HistogramFamily> histograms;
    };
    Entry& findOrAdd(MetricType type, const std::string& name, const std::string& help,
                     const std::vector<std::string>& labelNames, const std::vector<double>& bounds);

    mutable std::mutex mu_;
    std::map<std::string, Entry> families_;
    std::vector<std::function<void()>> collectors_;
};

// Text-format helpers (exposed for tests).
std::string escapeLabelValue(const std::string& v);
std::string escapeHelp(const std::string& v);
std::string formatMetricDouble(double v);
bool isValidMetricName(const std::string& name);
bool isValidLabelName(const std::string& name);

template <typename Series>
Series& MetricFamily<Series>::labels(const std::vector<std::string>& values) {
    if (values.size() != labelNames_.size()) {
        throw std::invalid_argument("metric " + name_ + ": expected " + std::to_string(labelNames_.size()) +
                                    " label values");
    }
    std::lock_guard lock(mu_);
    auto it = series_.find(values);
    if (it == series_.end()) it = series_.emplace(values, make_()).first;
    return *it->second;
}

}  // namespace agora::node
