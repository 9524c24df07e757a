import ChildProcesses
import Foundation
import Testing

/// Bad input and broken surroundings get a clear one-line reason and a meaningful exit status.
@Suite(.serialized)
struct ErrorHandlingTests {
    static let usageErrors: [(binary: URL, arguments: [String], reason: String)] = [
        (Binaries.client, ["subscribe", "nasdaq.aapl"], "nasdaq.aapl"),
        (Binaries.client, ["subscribe", "--count", "0"], "--count"),
        (Binaries.client, ["subscribe", "--format", "xml"], "xml"),
        (Binaries.client, ["subscribe", "--duration", "-1"], "--duration"),
        (Binaries.client, ["history", "NASDAQ.", "--since", "yesterday-ish"], "--since"),
        (Binaries.client, ["history", "NASDAQ.", "--since", "2026-11-22T10:00:00Z", "--until", "2026-11-22T09:00:00Z"], "--until"),
        (Binaries.client, ["history", "--server", "tcp://127.0.0.1:1", "--db", "x.sqlite"], "not both"),
        (Binaries.client, ["history", "--limit", "0"], "--limit"),
        (Binaries.client, ["publish", "/nonexistent/input.csv"], "/nonexistent/input.csv"),
        (Binaries.client, ["frobnicate"], "frobnicate"),
        (Binaries.server, ["--publish", "http://127.0.0.1:80"], "--publish"),
        (Binaries.server, ["--ingest", "tcp://127.0.0.1:99999"], "--ingest"),
        (Binaries.server, ["--demo", "-5"], "--demo"),
        (Binaries.server, ["--heartbeat-ms", "0"], "--heartbeat-ms"),
        (Binaries.server, ["--demo", "--demo-symbols", "0"], "--demo-symbols must be 1-2000000"),
        (Binaries.server, ["--demo", "--demo-symbols", "2000001"], "--demo-symbols must be 1-2000000"),
        (Binaries.server, ["--demo", "--demo-symbols", "many"], "many"),
        (Binaries.server, ["--demo-symbols", "100"], "--demo-symbols needs --demo"),
        // Values that once passed validation and then trapped on an overflow after "ready".
        (Binaries.server, ["--demo", "9223372036854775807"], "--demo"),
        (Binaries.server, ["--heartbeat-ms", "10000000000000"], "--heartbeat-ms"),
        (Binaries.server, ["--block-flush-ms", "10000000000000"], "--block-flush-ms"),
        (Binaries.server, ["--block-messages", "0"], "--block-messages"),
        (Binaries.server, ["--replay-page-limit", "100000000"], "--replay-page-limit"),
        (Binaries.server, ["--io-threads", "0"], "--io-threads"),
        (Binaries.server, ["relay", "--upstream", "http://10.0.0.5:5556", "--publish", "tcp://127.0.0.1:*"], "--upstream"),
        (Binaries.server, ["relay", "--upstream", "tcp://*:5556", "--publish", "tcp://127.0.0.1:*"], "--upstream"),
        (Binaries.server, ["--log-level", "chatty"], "chatty"),
        (Binaries.server, ["--log-level", "verbose"], "one of the following: trace, debug, info, notice, warning, error, critical"),
        (Binaries.server, ["relay", "--upstream", "tcp://127.0.0.1:5556", "--publish", "tcp://127.0.0.1:*", "--log-level", "loud"], "loud"),
        (Binaries.server, ["--no-such-option"], "--no-such-option"),
        (Binaries.server, ["--multicast", "epgm://lab0;10.1.2.3:5601"], "10.1.2.3"),
        (Binaries.server, ["--multicast", "epgm://lab0;239.1.1.1:99999"], "99999"),
        (Binaries.server, ["--multicast", "tcp://127.0.0.1:5000"], "--multicast"),
        (Binaries.server, ["--multicast-rate", "0"], "--multicast-rate"),
        (Binaries.server, ["relay", "--publish", "tcp://127.0.0.1:*"], "--upstream"),
        (Binaries.server, ["relay", "--upstream", "tcp://127.0.0.1:5556"], "--publish"),
        (Binaries.server, ["relay", "--upstream", "tcp://127.0.0.1:5556", "--publish", "tcp://127.0.0.1:*", "--subscribe", "bad prefix"], "--subscribe"),
        (Binaries.server, ["relay", "--upstream", "tcp://127.0.0.1:5556", "--publish", "tcp://127.0.0.1:*", "--subscribe-from", "/nonexistent/watchlist.txt"], "/nonexistent/watchlist.txt"),
        (Binaries.client, ["subscribe", "--from", "epgm://nosuchif0;239.1.1.1:5601"], "nosuchif0"),
        (Binaries.client, ["subscribe", "--from", "tcp://10.9.9.9:5556", "--replay-from", "start"], "--replay"),
        (Binaries.client, ["subscribe", "--replay-from", "next tuesday"], "--replay-from"),
        (Binaries.client, ["snapshot", "--at", "soon"], "--at"),
    ]

    @Test(arguments: usageErrors.indices)
    func badArgumentsExit64WithOneLineReason(index: Int) throws {
        let (binary, arguments, reason) = Self.usageErrors[index]
        let process = try ChildProcess(binary, arguments)
        #expect(try process.waitForExit() == 64, "\(arguments): \(process.stderr)")
        let lines = process.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(arguments): expected one line, got:\n\(process.stderr)")
        #expect(process.stderr.contains(reason), "\(arguments): reason missing from: \(process.stderr)")
    }

    @Test func unwritableDatabasePathIsAClearStartupError() throws {
        let folder = try TemporaryFolder()
        let blocker = folder.path("a-file")
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        let process = try ChildProcess(
            Binaries.server, ["--db", blocker + "/sub/feed.sqlite", "--publish", "tcp://127.0.0.1:*", "--ingest", "tcp://127.0.0.1:*", "--replay", "tcp://127.0.0.1:*"])
        #expect(try process.waitForExit() == 69)
        #expect(process.stderr.contains(blocker), "\(process.stderr)")
    }

    @Test func corruptDatabaseIsAClearStartupError() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("corrupt.sqlite")
        try Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 7919) }).write(to: URL(fileURLWithPath: path))
        let server = try ChildProcess(
            Binaries.server, ["--db", path, "--publish", "tcp://127.0.0.1:*", "--ingest", "tcp://127.0.0.1:*", "--replay", "tcp://127.0.0.1:*"])
        #expect(try server.waitForExit() == 69)
        #expect(server.stderr.contains(path), "\(server.stderr)")
        let client = try ChildProcess(Binaries.client, ["history", "--db", path])
        #expect(try client.waitForExit() == 66)
        #expect(client.stderr.contains(path), "\(client.stderr)")
        let missing = try ChildProcess(Binaries.client, ["history", "--db", folder.path("missing.sqlite")])
        #expect(try missing.waitForExit() == 66)
        #expect(missing.stderr.contains("missing.sqlite"), "\(missing.stderr)")
    }

    @Test func missingMulticastInterfaceIsAClearStartupError() throws {
        let folder = try TemporaryFolder()
        let process = try ChildProcess(
            Binaries.server,
            ["--db", folder.path("feed.sqlite"), "--multicast", "epgm://nosuchif0;239.192.7.1:5601", "--publish", "tcp://127.0.0.1:*",
             "--ingest", "tcp://127.0.0.1:*", "--replay", "tcp://127.0.0.1:*"])
        #expect(try process.waitForExit() == 69)
        #expect(process.stderr.contains("nosuchif0"), "\(process.stderr)")
    }

    @Test func endpointInUseIsAClearStartupError() throws {
        let first = try ServerFixture()
        let second = try ChildProcess(
            Binaries.server, ["--db", first.folder.path("second.sqlite"), "--publish", first.publish, "--ingest", "tcp://127.0.0.1:*", "--replay", "tcp://127.0.0.1:*"])
        #expect(try second.waitForExit() == 69)
        #expect(second.stderr.contains(first.publish) && second.stderr.contains("Address already in use"), "\(second.stderr)")
        try first.stop()
    }

    @Test func ipcEndpointInUseIsAClearStartupErrorAndItsFileGoesAwayOnStop() throws {
        let folder = try TemporaryFolder()
        let paths = ["publish", "ingest", "replay"].map { folder.path($0) }
        let first = try ServerFixture(
            folder: folder, endpoints: ["--publish", "ipc://\(paths[0])", "--ingest", "ipc://\(paths[1])", "--replay", "ipc://\(paths[2])"])
        for (option, path) in zip(["--publish", "--ingest", "--replay"], paths) {
            var endpoints = ["--publish": "tcp://127.0.0.1:*", "--ingest": "tcp://127.0.0.1:*", "--replay": "tcp://127.0.0.1:*"]
            endpoints[option] = "ipc://\(path)"
            let second = try ChildProcess(
                Binaries.server, ["--db", folder.path("second.sqlite")] + endpoints.flatMap { [$0.key, $0.value] })
            #expect(try second.waitForExit() == 69, "\(option): \(second.stderr)")
            #expect(second.stderr.contains("ipc://\(path): Address already in use"), "\(option): \(second.stderr)")
        }
        // The first server still serves its endpoints.
        let status = try first.client(["status", "--server", first.replay])
        #expect(status.exitStatus == 0, "\(status.stderr)")
        try first.stop()
        for path in paths { #expect(!FileManager.default.fileExists(atPath: path), "\(path) left behind") }

        let relayEndpoint = "ipc://\(folder.path("relay"))"
        let origin = try ServerFixture(folder: folder, endpoints: nil)
        let relay = try ChildProcess(Binaries.server, ["relay", "--upstream", origin.publish, "--publish", relayEndpoint])
        _ = try relay.waitForStderrLine(containing: "feed-relay ready")
        let rival = try ChildProcess(Binaries.server, ["relay", "--upstream", origin.publish, "--publish", relayEndpoint])
        #expect(try rival.waitForExit() == 69, "\(rival.stderr)")
        #expect(rival.stderr.contains("\(relayEndpoint): Address already in use"), "\(rival.stderr)")
        try relay.expectCleanStop()
        #expect(!FileManager.default.fileExists(atPath: folder.path("relay")), "relay socket file left behind")
        try origin.stop()
    }

    @Test func unreachableServerIsReportedNotWaitedOnForever() throws {
        // Port 1 on loopback: nothing listens there.
        let publish = try ChildProcess(Binaries.client, ["publish", "--to", "tcp://127.0.0.1:1", "--connect-timeout-ms", "500"], stdin: .bytes(Data("topic,bid,bid_size,ask,ask_size\n".utf8)))
        #expect(try publish.waitForExit() == 69)
        #expect(publish.stderr.contains("tcp://127.0.0.1:1"), "\(publish.stderr)")
        let history = try ChildProcess(Binaries.client, ["history", "--server", "tcp://127.0.0.1:1"])
        #expect(try history.waitForExit() == 69)
        #expect(history.stderr.contains("no answer"), "\(history.stderr)")
        let subscribe = try ChildProcess(Binaries.client, ["subscribe", "--from", "tcp://127.0.0.1:1", "--connect-timeout-ms", "500"])
        #expect(try subscribe.waitForExit() == 69)
        #expect(subscribe.stderr.contains("no heartbeat") && subscribe.stderr.contains("tcp://127.0.0.1:1"), "\(subscribe.stderr)")
    }

    @Test func badPublishLinesAreReportedByNumberAndSkipped() throws {
        let server = try ServerFixture()
        let subscriber = try server.subscriber(["--format", "ndjson", "--count", "2"])
        let input = """
            topic,bid,bid_size,ask,ask_size
            NASDAQ.AAPL,182.35,300,182.36,500
            NASDAQ.AAPL,abc,300,182.36,500
            lower.case,1,1,1,1
            NASDAQ.AAPL,1.123456789,1,1,1
            NASDAQ.AAPL,1,1
            NASDAQ.MSFT,415.10,100,415.12,200

            """
        let publisher = try server.client(["publish", "--to", server.ingest, "-"], stdin: .bytes(Data(input.utf8)))
        #expect(publisher.exitStatus == 65)
        for line in ["line 3:", "line 4:", "line 5:", "line 6:"] {
            #expect(publisher.stderr.contains(line), "\(line) missing from \(publisher.stderr)")
        }
        #expect(publisher.stderr.contains("published 2 messages, rejected 4 lines"))
        #expect(try subscriber.waitForExit() == 0)
        let received = try NDJSON.objects(subscriber.stdout)
        #expect(received.map { $0["topic"] as? String } == ["NASDAQ.AAPL", "NASDAQ.MSFT"])
        #expect((received.first?["bid"] as? NSNumber)?.decimalValue == Decimal(string: "182.35"))

        let strict = try server.client(["publish", "--to", server.ingest, "--strict", "-"], stdin: .bytes(Data(input.utf8)))
        #expect(strict.exitStatus == 65)
        #expect(strict.stderr.contains("line 3:") && !strict.stderr.contains("line 4:"), "\(strict.stderr)")
        try server.stop()
    }
}

/// A history that cannot be written (a full disk) never holds the live feed or the shutdown
/// hostage, and never ends in exit status 0.
@Suite(.serialized, .enabled(if: getuid() == 0, "needs root to mount a tiny tmpfs in a private mount namespace"))
struct FullDiskTests {
    /// A server whose history lives on a 512 KiB tmpfs of its own mount namespace, with a
    /// generator fast enough to fill the recorder's backlog within a second or two: the engine
    /// really waits for a recorder that cannot write. Returns the server and its replay endpoint.
    private func serverOnAFullDisk(_ folder: TemporaryFolder) throws -> (ChildProcess, String) {
        let disk = folder.path("disk")
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
        let server = try ChildProcess(
            URL(fileURLWithPath: "/usr/bin/unshare"),
            ["--mount", "sh", "-c",
             "mount -t tmpfs -o size=512k tmpfs '\(disk)' && exec '\(Binaries.server.path)' --publish 'tcp://127.0.0.1:*' "
                + "--ingest 'tcp://127.0.0.1:*' --replay 'tcp://127.0.0.1:*' --db '\(disk)/feed.sqlite' --demo 2000000 "
                // A backlog the demo fills well within the recorder's 5 s of retries, however busy the machine.
                + "--recorder-backlog 20000"])
        let ready = try server.waitForStderrLine(containing: "feed-server ready")
        let replay = try #require(ready.split(separator: " ").first { $0.hasPrefix("replay=") }).dropFirst("replay=".count)
        return (server, String(replay))
    }

    private func expectIncompleteStopWithin2Seconds(_ server: ChildProcess) throws {
        server.signal(SIGTERM)
        let started = Date()
        #expect(try server.waitForExit(timeout: 10) == 74, "\(server.stderr.suffix(2000))")
        #expect(Date().timeIntervalSince(started) < 2, "stopping took \(Date().timeIntervalSince(started)) s")
        #expect(server.stderr.contains("history incomplete"))
    }

    @Test func aStopWhileIntakeWaitsForAFailingRecorderEndsWithin2SecondsAndSaysSo() throws {
        let folder = try TemporaryFolder()
        let (server, _) = try serverOnAFullDisk(folder)
        // Logged as the engine starts to wait: it is waiting now.
        _ = try server.waitForStderrLine(containing: "intake waits for the history")
        try expectIncompleteStopWithin2Seconds(server)
    }

    @Test func aBatchThatCannotBeWrittenIsGivenUpAndCountedWhilePublishingGoesOn() throws {
        let folder = try TemporaryFolder()
        let (server, replay) = try serverOnAFullDisk(folder)
        _ = try server.waitForStderrLine(containing: "messages not recorded", timeout: 30)
        func status() throws -> [String: Any] {
            let client = try ChildProcess(Binaries.client, ["status", "--server", replay])
            #expect(try client.waitForExit() == 0, "\(client.stderr)")
            return try #require(try JSONSerialization.jsonObject(with: Data(client.stdout.utf8)) as? [String: Any])
        }
        let before = try status()
        #expect((before["unrecorded"] as? Int ?? 0) > 0, "\(before)")
        let published = before["published"] as? Int ?? 0
        let deadline = Date().addingTimeInterval(20)
        while try (status()["published"] as? Int ?? 0) <= published {
            guard Date() < deadline else {
                Issue.record("publishing stopped behind a recorder that cannot write")
                break
            }
        }
        try expectIncompleteStopWithin2Seconds(server)
    }
}
