import ArgumentParser
import CommandLineSupport
import FeedClientKit
import Foundation
import ZeroMQ

/// `feed-client status`: print a running server's session, sequence and counters as JSON.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print a feed-server's session, latest sequence and counters as JSON."
    )

    @Option(help: "Replay endpoint of the feed-server.")
    var server = "tcp://127.0.0.1:5558"

    @OptionGroup var timeout: ReplayTimeoutOptions

    @OptionGroup var curve: CurveClientOptions

    func validate() throws {
        try EndpointArgument.check(server, option: "--server", role: .connect, transports: serverTransports)
    }

    func run() throws {
        do {
            let context = try ZMQContext()
            let status = try ReplayClient(
                context: context, endpoint: server, timeoutMilliseconds: timeout.timeoutMs, curve: try curve.security()
            ).status()
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(status), as: UTF8.self))
        } catch {
            throw ClientFailure.exit(error)
        }
    }
}
