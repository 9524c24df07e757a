import ArgumentParser
import CommandLineSupport
import FeedServerCore
import Logging

/// `--metrics`, shared by `serve` and `relay`: where Prometheus scrapes `GET /metrics`.
struct MetricsOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Serve Prometheus metrics at http://HOST:PORT/metrics (tcp://HOST:PORT, port * for any free one). "
                + "Not authenticated: anyone who reaches it reads the counters (README: Metrics).",
            valueName: "ENDPOINT"))
    var metrics: String?

    func validate() throws {
        if let metrics { try EndpointArgument.check(metrics, option: "--metrics", role: .bind, transports: [.tcp]) }
    }

    /// Installs the Prometheus backend for swift-metrics when `--metrics` is given; call before
    /// the server or relay starts, so the metrics it makes are exported. Returns the registry.
    func bootstrap() -> PrometheusExport? {
        metrics == nil ? nil : PrometheusExport.bootstrap()
    }

    /// Serves what `export` holds plus the values of `counters`, or nothing without `--metrics`.
    func serve(_ export: PrometheusExport?, counters: ServerCounters, logger: Logger) throws -> MetricsHTTPEndpoint? {
        guard let metrics, let export else { return nil }
        return try export.serve(at: metrics, counters: counters, logger: logger)
    }
}
