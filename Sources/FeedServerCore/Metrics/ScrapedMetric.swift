/// One metric of ``ServerMetrics/scraped``: read from ``ServerCounters`` when scraped, never
/// touched on the paths that count.
///
/// `read` returns the samples there are now: one without a label for a plain metric, one per
/// label value for a labelled one, none when the server has no such thing (a relay without a
/// history records nothing, a server without multicast waits for none). A metric without
/// samples is not exported: only real values are.
struct ScrapedMetric: Sendable {
    enum Kind: Sendable {
        /// Only ever grows while the process runs.
        case counter
        /// Goes up and down.
        case gauge
    }

    /// One value, with the value of the metric's label if it has one.
    typealias Sample = (labelValue: String?, value: Double)

    let name: String
    let help: String
    let kind: Kind
    /// The name of the label, for a labelled metric.
    let label: String?
    let read: @Sendable (ServerCounters) -> [Sample]

    /// A counter without labels; `nil` from `read` means absent.
    static func counter(_ name: String, _ help: String, _ read: @escaping @Sendable (ServerCounters) -> UInt64?) -> Self {
        ScrapedMetric(name: name, help: help, kind: .counter, label: nil) { counters in read(counters).map { [(nil, Double($0))] } ?? [] }
    }

    /// A gauge without labels; `nil` from `read` means absent.
    static func gauge(_ name: String, _ help: String, _ read: @escaping @Sendable (ServerCounters) -> Double?) -> Self {
        ScrapedMetric(name: name, help: help, kind: .gauge, label: nil) { counters in read(counters).map { [(nil, $0)] } ?? [] }
    }

    /// A counter per value of `label`.
    static func counters(
        _ name: String, _ help: String, label: String, _ read: @escaping @Sendable (ServerCounters) -> [(String, Double)]
    ) -> Self {
        ScrapedMetric(name: name, help: help, kind: .counter, label: label) { counters in read(counters).map { ($0.0, $0.1) } }
    }

    /// A gauge per value of `label`.
    static func gauges(
        _ name: String, _ help: String, label: String, _ read: @escaping @Sendable (ServerCounters) -> [(String, Double)]
    ) -> Self {
        ScrapedMetric(name: name, help: help, kind: .gauge, label: label) { counters in read(counters).map { ($0.0, $0.1) } }
    }
}
