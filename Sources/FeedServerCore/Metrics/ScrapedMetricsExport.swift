import Metrics
import Synchronization

/// Hands the values of ``ServerMetrics/scraped`` to swift-metrics right before the backend
/// renders them: call ``refresh()`` once per scrape, from any thread.
///
/// A counter's swift-metrics object only grows, so each refresh adds what the counter gained
/// since the last one. Without a metrics backend (swift-metrics not bootstrapped) this costs a
/// scrape's worth of no-ops and nothing else.
public final class ScrapedMetricsExport: Sendable {
    private let counters: ServerCounters
    private let series = Mutex<[SeriesKey: Series]>([:])

    private struct SeriesKey: Hashable {
        let name: String
        let labelValue: String?
    }

    private enum Series {
        case counter(FloatingPointCounter, last: Double)
        case gauge(Gauge)
    }

    /// Exports the metrics of the server or relay that owns `counters`.
    public init(counters: ServerCounters) {
        self.counters = counters
    }

    /// Brings every scraped metric up to date.
    public func refresh() {
        series.withLock { series in
            for metric in ServerMetrics.scraped {
                for sample in metric.read(counters) {
                    let key = SeriesKey(name: metric.name, labelValue: sample.labelValue)
                    let dimensions = zip([metric.label].compactMap { $0 }, [sample.labelValue].compactMap { $0 }).map { ($0, $1) }
                    switch series[key] ?? Self.make(metric, dimensions: dimensions) {
                    case .counter(let counter, let last):
                        if sample.value > last { counter.increment(by: sample.value - last) }
                        series[key] = .counter(counter, last: max(last, sample.value))
                    case .gauge(let gauge):
                        gauge.record(sample.value)
                        series[key] = .gauge(gauge)
                    }
                }
            }
        }
    }

    private static func make(_ metric: ScrapedMetric, dimensions: [(String, String)]) -> Series {
        switch metric.kind {
        case .counter: .counter(FloatingPointCounter(label: metric.name, dimensions: dimensions), last: 0)
        case .gauge: .gauge(Gauge(label: metric.name, dimensions: dimensions))
        }
    }
}
