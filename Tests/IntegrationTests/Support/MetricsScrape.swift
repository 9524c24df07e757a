import ChildProcesses
import Foundation
import Testing

/// A scrape of a daemon's `--metrics` endpoint by a real HTTP client (Python's urllib), and the
/// exposition checked by `promtool check metrics` (Debian's `prometheus` package).
struct MetricsScrape {
    let status: Int
    let contentType: String
    let body: String

    /// What urllib got for `method path` at `endpoint` (`tcp://HOST:PORT`), error statuses
    /// included, asking from network `namespace` if one is given.
    init(_ endpoint: String, path: String = "/metrics", method: String = "GET", namespace: String? = nil) throws {
        let url = "http://" + endpoint.dropFirst("tcp://".count) + path
        let script = """
            import sys, urllib.request, urllib.error
            request = urllib.request.Request(sys.argv[1], method=sys.argv[2])
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    status, headers, body = response.status, response.headers, response.read()
            except urllib.error.HTTPError as error:
                status, headers, body = error.code, error.headers, error.read()
            sys.stdout.write(f"{status}\\n{headers.get('Content-Type')}\\n{body.decode()}")
            """
        let client = try LabNetwork.run(URL(fileURLWithPath: "/usr/bin/python3"), ["-c", script, url, method], in: namespace)
        guard try client.waitForExit(timeout: 20) == 0 else { throw client.failure("urllib \(method) \(url) failed") }
        let parts = client.stdout.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let status = Int(parts[0]) else { throw FixtureFailure("unexpected urllib output: \(client.stdout)") }
        self.status = status
        contentType = String(parts[1])
        body = String(parts[2])
    }

    /// Every sample by its series, `name` or `name{labels}` as written.
    var samples: [String: Double] {
        var samples: [String: Double] = [:]
        for line in body.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    /// Whether any series of the metric called `name` is present.
    func has(_ name: String) -> Bool {
        samples.keys.contains { $0 == name || $0.hasPrefix(name + "{") }
    }

    /// Runs `promtool check metrics` on the body; records its complaints as a failure.
    func expectPromtoolAccepts(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let promtool = URL(fileURLWithPath: "/usr/bin/promtool")
        guard FileManager.default.isExecutableFile(atPath: promtool.path) else {
            Issue.record("promtool missing: install Debian's prometheus package (scripts/ensure-deps.sh does)", sourceLocation: sourceLocation)
            return
        }
        let check = try ChildProcess(promtool, ["check", "metrics"], stdin: .bytes(Data(body.utf8)))
        #expect(try check.waitForExit() == 0, "promtool check metrics: \(check.stderr)\n\(body)", sourceLocation: sourceLocation)
    }

    /// Scrapes until `condition` holds for the samples; throws after `timeout` seconds.
    static func waitFor(
        _ endpoint: String, _ what: String, namespace: String? = nil, timeout: Double = 20, condition: ([String: Double]) -> Bool
    ) throws -> MetricsScrape {
        let deadline = Date().addingTimeInterval(timeout)
        var last: MetricsScrape
        repeat {
            last = try MetricsScrape(endpoint, namespace: namespace)
            if last.status == 200 && condition(last.samples) { return last }
        } while Date() < deadline
        throw FixtureFailure("metrics at \(endpoint): \(what) not within \(timeout) s; last scrape:\n\(last.body)")
    }
}

extension ChildProcess {
    /// The `metrics=` endpoint of the daemon's `ready` line (started with `--metrics`).
    func metricsEndpoint(readyLine: String) throws -> String {
        let ready = try waitForStderrLine(containing: readyLine)
        guard let field = ready.split(separator: " ").first(where: { $0.hasPrefix("metrics=") }) else {
            throw FixtureFailure("ready line without metrics=: \(ready)")
        }
        return String(field.dropFirst("metrics=".count))
    }
}
