#include "node/metrics/MetricsRegistry.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <stdexcept>

namespace agora::node {

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
    for (std::size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double v) {
    // Prometheus buckets are "less than or equal": the first bound >= v.
    const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
    const auto idx = static_cast<std::size_t>(it - bounds_.begin());
    counts_[idx].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(v, std::memory_order_relaxed);
}

std::vector<std::uint64_t> Histogram::cumulativeCounts() const {
    std::vector<std::uint64_t> out(bounds_.size() + 1);
    std::uint64_t acc = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
        acc += counts_[i].load(std::memory_order_relaxed);
        out[i] = acc;
    }
    return out;
}

bool isValidMetricName(const std::string& name) {
    if (name.empty()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
        const bool digit = c >= '0' && c <= '9';
        if (!alpha && !(digit && i > 0)) return false;
    }
    return true;
}

bool isValidLabelName(const std::string& name) {
    if (name.empty() || name.find(':') != std::string::npos) return false;
    if (name.size() >= 2 && name[0] == '_' && name[1] == '_') return false;  // reserved
    return isValidMetricName(name);
}

std::string escapeLabelValue(const std::string& v) {
    std::string out;
    out.reserve(v.size());
    for (const char c : v) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '"':
                out += "\\\"";
                break;
            case '\n':
                out += "\\n";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string escapeHelp(const std::string& v) {
    std::string out;
    out.reserve(v.size());
    for (const char c : v) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

std::string formatMetricDouble(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, res.ptr);
}

std::vector<double> MetricsRegistry::defaultSecondsBuckets() {
    return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

MetricsRegistry::Entry& MetricsRegistry::findOrAdd(MetricType type, const std::string& name, const std::string& help,
                                                   const std::vector<std::string>& labelNames,
                                                   const std::vector<double>& bounds) {
    if (!isValidMetricName(name)) throw std::invalid_argument("invalid metric name: " + name);
    std::set<std::string> seen;
    for (const auto& l : labelNames) {
        if (!isValidLabelName(l) || !seen.insert(l).second || (type == MetricType::Histogram && l == "le")) {
            throw std::invalid_argument("metric " + name + ": invalid label name '" + l + "'");
        }
    }
    if (type == MetricType::Histogram) {
        for (std::size_t i = 0; i < bounds.size(); ++i) {
            if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
                throw std::invalid_argument("metric " + name + ": bucket bounds must be finite and ascending");
            }
        }
    }
    auto it = families_.find(name);
    if (it != families_.end()) {
        const Entry& e = it->second;
        const std::vector<std::string>* existingLabels = nullptr;
        const std::string* existingHelp = nullptr;
        switch (e.type) {
            case MetricType::Counter:
                existingLabels = &e.counters->labelNames();
                existingHelp = &e.counters->help();
                break;
            case MetricType::Gauge:
                existingLabels = &e.gauges->labelNames();
                existingHelp = &e.gauges->help();
                break;
            case MetricType::Histogram:
                existingLabels = &e.histograms->labelNames();
                existingHelp = &e.histograms->help();
                break;
        }
        if (e.type != type || *existingLabels != labelNames || *existingHelp != help || e.bounds != bounds) {
            throw std::invalid_argument("metric " + name + " registered twice with different definitions");
        }
        return it->second;
    }
    Entry e{type, bounds, nullptr, nullptr, nullptr};
    switch (type) {
        case MetricType::Counter:
            e.counters =
                std::make_unique<CounterFamily>(name, help, labelNames, [] { return std::make_unique<Counter>(); });
            break;
        case MetricType::Gauge:
            e.gauges = std::make_unique<GaugeFamily>(name, help, labelNames, [] { return std::make_unique<Gauge>(); });
            break;
        case MetricType::Histogram:
            e.histograms = std::make_unique<HistogramFamily>(name, help, labelNames,
                                                             [bounds] { return std::make_unique<Histogram>(bounds); });
            break;
    }
    return families_.emplace(name, std::move(e)).first->second;
}

CounterFamily& MetricsRegistry::counter(const std::string& name, const std::string& help,
                                        const std::vector<std::string>& labelNames) {
    std::lock_guard lock(mu_);
    return *findOrAdd(MetricType::Counter, name, help, labelNames, {}).counters;
}

GaugeFamily& MetricsRegistry::gauge(const std::string& name, const std::string& help,
                                    const std::vector<std::string>& labelNames) {
    std::lock_guard lock(mu_);
    return *findOrAdd(MetricType::Gauge, name, help, labelNames, {}).gauges;
}

HistogramFamily& MetricsRegistry::histogram(const std::string& name, const std::string& help,
                                            const std::vector<double>& bounds,
                                            const std::vector<std::string>& labelNames) {
    std::lock_guard lock(mu_);
    return *findOrAdd(MetricType::Histogram, name, help, labelNames, bounds).histograms;
}

void MetricsRegistry::addCollector(std::function<void()> collector) {
    std::lock_guard lock(mu_);
    collectors_.push_back(std::move(collector));
}

namespace {

// `{a="x",b="y"}` (empty when there are no labels and no extra label).
std::string labelSet(const std::vector<std::string>& names, const std::vector<std::string>& values,
                     const std::string& extraName = {}, const std::string& extraValue = {}) {
    if (names.empty() && extraName.empty()) return {};
    std::string out = "{";
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) out += ',';
        out += names[i] + "=\"" + escapeLabelValue(values[i]) + '"';
    }
    if (!extraName.empty()) {
        if (!names.empty()) out += ',';
        out += extraName + "=\"" + escapeLabelValue(extraValue) + '"';
    }
    out += '}';
    return out;
}

void header(std::string& out, const std::string& name, const std::string& help, const char* type) {
    out += "# HELP " + name + ' ' + escapeHelp(help) + '\n';
    out += "# TYPE " + name + ' ' + type + '\n';
}

}  // namespace

std::string MetricsRegistry::render() const {
    std::vector<std::function<void()>> collectors;
    {
        std::lock_guard lock(mu_);
        collectors = collectors_;
    }
    for (const auto& c : collectors) c();

    std::lock_guard lock(mu_);
    std::string out;
    for (const auto& family : families_) {
        // Named references, not a structured binding: lambdas below capture them.
        const std::string& name = family.first;
        const Entry& e = family.second;
        switch (e.type) {
            case MetricType::Counter:
                header(out, name, e.counters->help(), "counter");
                e.counters->forEach([&](const std::vector<std::string>& values, const Counter& c) {
                    out += name + labelSet(e.counters->labelNames(), values) + ' ' + std::to_string(c.value()) + '\n';
                });
                break;
            case MetricType::Gauge:
                header(out, name, e.gauges->help(), "gauge");
                e.gauges->forEach([&](const std::vector<std::string>& values, const Gauge& g) {
                    out += name + labelSet(e.gauges->labelNames(), values) + ' ' + std::to_string(g.value()) + '\n';
                });
                break;
            case MetricType::Histogram:
                header(out, name, e.histograms->help(), "histogram");
                e.histograms->forEach([&](const std::vector<std::string>& values, const Histogram& h) {
                    const auto& names = e.histograms->labelNames();
                    const auto counts = h.cumulativeCounts();
                    for (std::size_t i = 0; i < counts.size(); ++i) {
                        const std::string le = i < h.bounds().size() ? formatMetricDouble(h.bounds()[i]) : "+Inf";
                        out += name + "_bucket" + labelSet(names, values, "le", le) + ' ' + std::to_string(counts[i]) +
                               '\n';
                    }
                    out += name + "_sum" + labelSet(names, values) + ' ' + formatMetricDouble(h.sum()) + '\n';
                    out += name + "_count" + labelSet(names, values) + ' ' + std::to_string(counts.back()) + '\n';
                });
                break;
        }
    }
    return out;
}

}  // namespace agora::node
