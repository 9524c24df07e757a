import ChildProcesses
import Foundation
import Testing

/// Every client command given the wrong endpoint ends within its timeout with exit status 69 and
/// a reason naming what it found there: a feed-server's endpoint of another kind, a TCP listener
/// that never speaks, an HTTP server, or nothing. (`status --server <publish port>` used to block in
/// zmq_send forever; `subscribe --replay <ingest port>` gave up after 10 s blaming the publisher.)
@Suite(.serialized)
struct WrongEndpointTests {
    /// A TCP listener that accepts connections and never sends a byte, and Python's HTTP server
    /// (which waits for a request line that a ZeroMQ client never sends), on loopback ports.
    final class ForeignListeners {
        let process: ChildProcess
        let silent: String
        let http: String

        init() throws {
            let script = """
                import http.server, socket, sys, threading, time
                silent = socket.socket()
                silent.bind(('127.0.0.1', 0))
                silent.listen(64)
                web = http.server.HTTPServer(('127.0.0.1', 0), http.server.SimpleHTTPRequestHandler)
                threading.Thread(target=web.serve_forever, daemon=True).start()
                sys.stderr.write('listening %d %d .\\n' % (silent.getsockname()[1], web.server_address[1]))
                sys.stderr.flush()
                while True:
                    time.sleep(60)
                """
            process = try ChildProcess(URL(fileURLWithPath: "/usr/bin/python3"), ["-c", script])
            // One write of a whole line: waiting for its end means it is all there.
            let ports = try process.waitForStderrLine(containing: " .").split(separator: " ")
            silent = "tcp://127.0.0.1:\(ports[1])"
            http = "tcp://127.0.0.1:\(ports[2])"
        }
    }

    /// The wrong endpoints for a client of `role` (`replay` or `ingest`), each with the reason
    /// its error must give.
    static func wrongEndpoints(for role: String, _ server: ServerFixture, _ foreign: ForeignListeners) -> [(String, String)] {
        let refused = "closed the connection during the ZeroMQ handshake: is that a feed-server's \(role) endpoint?"
        let notZeroMQ = "accepted the connection but never completed a ZeroMQ handshake"
        let otherKind = role == "replay" ? server.ingest : server.replay
        // Port 1 on loopback: nothing listens there.
        return [
            (server.publish, refused), (otherKind, refused), (foreign.silent, notZeroMQ), (foreign.http, notZeroMQ),
            ("tcp://127.0.0.1:1", "nothing accepted a connection there: is feed-server running?"),
        ]
    }

    /// Runs `feed-client arguments` to its end (bounded: a hang fails the test) and checks it
    /// exited 69 naming `endpoint` and `reason` in one line.
    static func expectUnavailable(
        _ server: ServerFixture, _ arguments: [String], endpoint: String, reason: String, stdin: ChildProcess.Input = .open,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let client = try server.client(arguments, stdin: stdin, timeout: 60)
        #expect(client.exitStatus == 69, "\(arguments): \(client.stderr)", sourceLocation: sourceLocation)
        let lines = client.stderr.split(separator: "\n").filter { !$0.contains("; live") && !$0.contains("received 0 messages") }
        #expect(lines.count == 1, "\(arguments): \(client.stderr)", sourceLocation: sourceLocation)
        #expect(
            lines.first?.contains(endpoint) == true && lines.first?.contains(reason) == true, "\(arguments): \(client.stderr)",
            sourceLocation: sourceLocation)
    }

    @Test(arguments: [["status"], ["history", "NASDAQ."], ["snapshot", "NASDAQ."]])
    func queryCommandsNameWhatTheyFound(command: [String]) throws {
        let server = try ServerFixture()
        let foreign = try ForeignListeners()
        for (endpoint, reason) in Self.wrongEndpoints(for: "replay", server, foreign) {
            try Self.expectUnavailable(server, command + ["--server", endpoint, "--timeout-ms", "2000"], endpoint: endpoint, reason: reason)
        }
        try server.stop()
    }

    @Test(arguments: [[], ["--replay-from", "start"]])
    func subscribeBlamesTheReplayEndpointNotThePublisher(start: [String]) throws {
        let server = try ServerFixture()
        let foreign = try ForeignListeners()
        for (endpoint, reason) in Self.wrongEndpoints(for: "replay", server, foreign) {
            try Self.expectUnavailable(
                server, ["subscribe", "NASDAQ.", "--from", server.publish, "--replay", endpoint] + start, endpoint: endpoint,
                reason: reason)
        }
        try server.stop()
    }

    @Test func publishNamesWhatItFound() throws {
        let server = try ServerFixture()
        let foreign = try ForeignListeners()
        let input = Data("topic,price,size,side\nWRONG.PORT,1,1,buy\n".utf8)
        for (endpoint, reason) in Self.wrongEndpoints(for: "ingest", server, foreign) {
            try Self.expectUnavailable(
                server, ["publish", "-", "--to", endpoint, "--connect-timeout-ms", "2000"], endpoint: endpoint, reason: reason,
                stdin: .bytes(input))
        }
        try server.stop()
    }
}
