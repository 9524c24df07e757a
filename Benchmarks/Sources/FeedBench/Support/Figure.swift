import Foundation

/// One row of the benchmark table: a figure of ours, the baseline measured beside it in the same
/// run, their ratio, and the target the issue holds it to.
struct Figure {
    /// Which way is good.
    enum Better {
        case higher
        case lower
    }

    /// What the figure is held to: a ratio to its baseline, or an absolute value.
    enum Target {
        case ratio(Double)
        case value(Double)
    }

    /// How the values of a figure are written.
    enum Unit {
        case messagesPerSecond
        case connectionsPerSecond
        case nanoseconds
        case microseconds
        case milliseconds
        case bytes
        case seconds

        func format(_ value: Double) -> String {
            switch self {
            case .messagesPerSecond:
                value >= 1_000_000
                    ? String(format: "%.2f M msg/s", value / 1e6) : String(format: "%.0f k msg/s", value / 1e3)
            case .connectionsPerSecond: String(format: "%.0f conn/s", value)
            case .nanoseconds: String(format: "%.0f ns", value)
            case .microseconds: String(format: "%.1f µs", value)
            case .milliseconds: String(format: "%.1f ms", value)
            case .bytes: String(format: "%.1f MiB", value / 1_048_576)
            case .seconds: String(format: "%.2f s", value)
            }
        }
    }

    var name: String
    var unit: Unit
    var better: Better
    var ours: Double
    var baselineName: String? = nil
    var baseline: Double? = nil
    var target: Target? = nil
    var note: String = ""

    /// Ours divided by the baseline.
    var ratio: Double? {
        guard let baseline, baseline > 0 else { return nil }
        return ours / baseline
    }

    /// Whether the target is met; nil without a target.
    var met: Bool? {
        guard let target else { return nil }
        let (value, bound): (Double?, Double) =
            switch target {
            case .ratio(let bound): (ratio, bound)
            case .value(let bound): (ours, bound)
            }
        guard let value else { return false }
        return better == .higher ? value >= bound : value <= bound
    }

    var targetText: String {
        guard let target else { return "" }
        let relation = better == .higher ? "≥" : "≤"
        return switch target {
        case .ratio: "\(relation) \(targetRatioText ?? "")x"
        case .value(let bound): "\(relation) \(unit.format(bound))"
        }
    }

    /// The ratio target with two decimals, if the target is a ratio.
    private var targetRatioText: String? {
        guard case .ratio(let bound) = target else { return nil }
        return String(format: "%.2f", bound)
    }

    /// The figure as a row of a Markdown table.
    var markdownRow: String {
        let baselineText = baseline.map { "\(baselineName ?? "baseline") \(unit.format($0))" } ?? "-"
        // Three decimals where two would round a ratio onto a target it misses (0.797x, not 0.80x).
        let decimals = ratio.map { String(format: "%.2f", $0) } == targetRatioText && met == false ? 3 : 2
        let ratioText = ratio.map { String(format: "%.\(decimals)fx", $0) } ?? "-"
        let verdict = met.map { $0 ? "met" : "**not met**" } ?? ""
        return "| \(name) | \(unit.format(ours)) | \(baselineText) | \(ratioText) | \(targetText) \(verdict) | \(note) |"
    }

    static let markdownHeader = """
        | figure | ours | baseline (same run) | ratio | target | notes |
        |---|---|---|---|---|---|
        """
}

extension Array where Element == Double {
    /// The middle value (the lower middle for an even count); what a repeated figure reports.
    var median: Double {
        precondition(!isEmpty)
        return sorted()[(count - 1) / 2]
    }
}
