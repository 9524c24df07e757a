import FeedServerCore
import Logging
import Metrics
import Prometheus

/// The executable's metrics backend: swift-metrics bootstrapped with a Prometheus registry, each
/// metric carrying the help text ``ServerMetrics`` gives it (promtool requires one).
struct PrometheusExport: Sendable {
    let registry: PrometheusCollectorRegistry

    /// Bootstraps swift-metrics once per process.
    static func bootstrap() -> PrometheusExport {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(DocumentedPrometheusFactory(registry: registry))
        return PrometheusExport(registry: registry)
    }

    /// Starts the HTTP endpoint; each scrape first reads `counters` (``ScrapedMetricsExport``).
    func serve(at endpoint: String, counters: ServerCounters, logger: Logger) throws -> MetricsHTTPEndpoint {
        let scraped = ScrapedMetricsExport(counters: counters)
        let registry = self.registry
        return try MetricsHTTPEndpoint.start(endpoint: endpoint, logger: logger) {
            scraped.refresh()
            return registry.emitToBuffer()
        }
    }
}

/// swift-metrics' factory for the registry, like swift-prometheus' own `PrometheusMetricsFactory`
/// but with help text, which that one leaves out.
private struct DocumentedPrometheusFactory: MetricsFactory {
    let registry: PrometheusCollectorRegistry
    /// Histogram buckets of metrics that do not name their own (seconds, for a timer).
    static let defaultBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private func descriptor(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: ServerMetrics.help(for: label) ?? "")
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(descriptor: descriptor(label), labels: dimensions) }
        return registry.makeValueHistogram(
            descriptor: descriptor(label), labels: dimensions, buckets: ServerMetrics.buckets(for: label) ?? Self.defaultBuckets)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let buckets = (ServerMetrics.buckets(for: label) ?? Self.defaultBuckets).map { Duration.nanoseconds(Int64($0 * 1e9)) }
        return registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions, buckets: buckets)
    }

    func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
        if let histogram = handler as? ValueHistogram { registry.unregisterValueHistogram(histogram) }
    }

    func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }
}
