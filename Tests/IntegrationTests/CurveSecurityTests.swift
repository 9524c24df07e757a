import FeedModel
import ChildProcesses
import Foundation
import Testing
import ZeroMQ

/// A feed-server with CURVE (`--curve-secret`, `--clients`), as clients meet it: real
/// processes, real keys made by `feed-client keygen`, and pyzmq as an independent client.
struct CurveSecurityTests {
    /// A server with CURVE on loopback wildcard ports, recording to its own file.
    static func server(_ keys: CurveKeys, extra: [String] = []) throws -> ServerFixture {
        try ServerFixture(extraArguments: keys.serverArguments + extra)
    }

    /// The topics of `feed-client history`/`snapshot` output in NDJSON.
    static func topics(_ output: String) throws -> [String] {
        try output.split(separator: "\n").map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return try #require(object["topic"] as? String)
        }
    }

    /// Publishes `count` sample messages (``FeedEndToEndTests/sampleInput(count:)``) as the
    /// client with `credentials`; returns them.
    @discardableResult
    static func publishSample(_ count: Int, to server: ServerFixture, as credentials: [String]) throws -> [FeedMessage] {
        let (csv, sample) = FeedEndToEndTests.sampleInput(count: count)
        try server.folder.write(csv, to: "input.csv")
        let publish = try server.client(["publish", "--to", server.ingest, server.folder.path("input.csv")] + credentials)
        #expect(publish.exitStatus == 0, "\(publish.stderr)")
        return sample
    }

    /// The server's status as a client with the replay role sees it.
    static func status(_ server: ServerFixture, as credentials: [String]) throws -> [String: Any] {
        let status = try server.client(["status", "--server", server.replay] + credentials)
        #expect(status.exitStatus == 0, "\(status.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
    }

    // MARK: - Who gets in

    @Test func anUnknownKeyIsRefusedCountedAndNeverReceivesAByte() throws {
        let keys = try CurveKeys()
        let admin = try keys.client("admin", roles: "replay", prefixes: "*")
        let mallory = try keys.client("mallory", roles: "subscribe,publish,replay", prefixes: "*", allowed: false)
        let server = try Self.server(keys, extra: ["--demo", "2000", "--metrics", "tcp://127.0.0.1:*"])

        let subscriber = try server.client(["subscribe", "--from", server.publish, "--count", "1", "--connect-timeout-ms", "5000"] + mallory)
        #expect(subscriber.exitStatus == 69, "\(subscriber.stderr)")
        #expect(subscriber.stderr.contains("refused the CURVE handshake: this client's key is not let in"), "\(subscriber.stderr)")
        #expect(subscriber.stdout.isEmpty)

        // pyzmq with the stranger's key: the handshake fails for authentication, and in a second
        // of a 2,000 msg/s feed nothing arrives.
        let python = try ChildProcess(
            URL(fileURLWithPath: "/usr/bin/python3"),
            ["-c", PythonClients.strangerSubscriber, server.publish, keys.folder.path("server.key"), keys.folder.path("mallory.key_secret")])
        #expect(try python.waitForExit() == 0, "\(python.stderr)")
        #expect(python.stdout.contains("auth-failed 400"), "\(python.stdout)")
        #expect(python.stdout.contains("received 0"), "\(python.stdout)")

        let status = try Self.status(server, as: admin)
        #expect((status["refused_keys"] as? Int ?? 0) >= 2, "\(status)")
        let metrics = try MetricsScrape.waitFor(try server.process.metricsEndpoint(readyLine: "feed-server ready"), "refused keys") {
            ($0["feed_refused_keys_total"] ?? 0) >= 2
        }
        #expect(metrics.samples["feed_not_entitled_subscriptions_total"] == 0)
        try metrics.expectPromtoolAccepts()
        #expect(server.process.stderr.contains("CURVE key \(try keys.publicKey("mallory"))"), "\(server.process.stderr)")
        try server.stop()
    }

    @Test func clientsThatCannotCompleteTheHandshakeAreToldSoWithExit69() throws {
        let keys = try CurveKeys()
        let admin = try keys.client("admin", roles: "subscribe,publish,replay", prefixes: "*")
        let server = try Self.server(keys)
        let other = try CurveKeys()  // Another server's key pair.
        let wrongServerKey = ["--curve-server-key", other.folder.path("server.key"), "--curve-key", keys.folder.path("admin.key_secret")]

        let plain = try server.client(["status", "--server", server.replay, "--timeout-ms", "3000"])
        #expect(plain.exitStatus == 69, "\(plain.stderr)")
        #expect(plain.stderr.contains("closed the connection during the ZeroMQ handshake"), "\(plain.stderr)")
        #expect(plain.stderr.contains("--curve-server-key"), "\(plain.stderr)")

        let cases: [(String, [String])] = [
            ("status", ["status", "--server", server.replay, "--timeout-ms", "3000"]),
            ("history", ["history", "--server", server.replay, "--timeout-ms", "3000"]),
            ("subscribe", ["subscribe", "--from", server.publish, "--connect-timeout-ms", "3000"]),
        ]
        for (name, arguments) in cases {
            let wrong = try server.client(arguments + wrongServerKey)
            #expect(wrong.exitStatus == 69, "\(name): \(wrong.stderr)")
            #expect(wrong.stderr.contains("refused the CURVE handshake: is --curve-server-key"), "\(name): \(wrong.stderr)")
        }
        try server.folder.write("NASDAQ.AAPL,trade,,,,,1.5,10,buy,\n", to: "one.csv")
        let publish = try server.client(["publish", "--to", server.ingest, "--connect-timeout-ms", "3000", server.folder.path("one.csv")] + wrongServerKey)
        #expect(publish.exitStatus == 69, "\(publish.stderr)")
        #expect(publish.stderr.contains("refused the CURVE handshake"), "\(publish.stderr)")

        // The reverse: a CURVE client at a plain server.
        let plainServer = try ServerFixture()
        let curveAtPlain = try plainServer.client(["status", "--server", plainServer.replay, "--timeout-ms", "3000"] + admin)
        #expect(curveAtPlain.exitStatus == 69, "\(curveAtPlain.stderr)")
        #expect(curveAtPlain.stderr.contains("refused the CURVE handshake"), "\(curveAtPlain.stderr)")
        try plainServer.stop()
        try server.stop()
    }

    @Test func ipcEndpointsUseCurveToo() throws {
        let keys = try CurveKeys()
        let admin = try keys.client("admin", roles: "replay", prefixes: "*")
        let folder = try TemporaryFolder()
        let server = try ServerFixture(
            extraArguments: keys.serverArguments, folder: folder,
            endpoints: ["--publish", "ipc://\(folder.path("publish"))", "--ingest", "ipc://\(folder.path("ingest"))", "--replay", "ipc://\(folder.path("replay"))"])
        _ = try Self.status(server, as: admin)
        let plain = try server.client(["status", "--server", server.replay, "--timeout-ms", "3000"])
        #expect(plain.exitStatus == 69, "\(plain.stderr)")
        #expect(plain.stderr.contains("closed the connection during the ZeroMQ handshake"), "\(plain.stderr)")
        try server.stop()
    }

    // MARK: - Entitlements

    @Test func producersPublishOnlyUnderTheirPrefixesAndWithThePublishRole() throws {
        let keys = try CurveKeys()
        let admin = try keys.client("admin", roles: "replay", prefixes: "*")
        let nyse = try keys.client("nyse-feed", roles: "publish", prefixes: "NYSE.")
        let reader = try keys.client("reader", roles: "subscribe", prefixes: "*")
        let server = try Self.server(keys)
        try Self.publishSample(100, to: server, as: reader)
        let sample = try Self.publishSample(100, to: server, as: nyse)
        let entitled = sample.filter { $0.topic.rawValue.hasPrefix("NYSE.") }.count
        try server.waitForStatus("recorded", atLeast: entitled, credentials: admin)
        let status = try Self.status(server, as: admin)
        let rejected = try #require(status["rejected"] as? [String: Int])
        // Everything reader sent and nyse-feed's messages outside NYSE.: counted once each, by name.
        let deadline = Date().addingTimeInterval(10)
        var notEntitled = rejected["not_entitled"] ?? 0
        while notEntitled < 200 - entitled && Date() < deadline {
            notEntitled = (try Self.status(server, as: admin)["rejected"] as? [String: Int])?["not_entitled"] ?? 0
        }
        #expect(notEntitled == 200 - entitled, "\(status)")
        let history = try server.client(["history", "--server", server.replay, "--format", "ndjson"] + admin)
        #expect(try Set(Self.topics(history.stdout)) == ["NYSE.IBM", "NYSE.BRK.B"])
        #expect(try Self.topics(history.stdout).count == entitled)
        // The first ten of a kind are logged, with the client's name.
        #expect(server.process.stderr.contains("(not_entitled #1): reader may not publish NASDAQ.AAPL (no publish role)"), "\(server.process.stderr)")
        try server.stop()
    }

    @Test func replayAnswersOnlyEntitledTopicsAndStatusNeedsTheReplayRole() throws {
        let keys = try CurveKeys()
        let admin = try keys.client("admin", roles: "publish,replay", prefixes: "*")
        let alice = try keys.client("alice", roles: "subscribe,replay", prefixes: "NASDAQ., NYSE.IBM")
        let dave = try keys.client("dave", roles: "subscribe", prefixes: "NASDAQ.AAPL")
        let server = try Self.server(keys)
        let sample = try Self.publishSample(200, to: server, as: admin)
        try server.waitForStatus("recorded", atLeast: 200, credentials: admin)

        func history(_ arguments: [String], as credentials: [String]) throws -> ChildProcess {
            try server.client(arguments + ["--server", server.replay, "--format", "ndjson"] + credentials)
        }
        let everything = try history(["history"], as: alice)
        #expect(everything.exitStatus == 0, "\(everything.stderr)")
        let aliceTopics: Set = ["NASDAQ.AAPL", "NASDAQ.MSFT", "NYSE.IBM"]
        #expect(try Self.topics(everything.stdout) == sample.map(\.topic.rawValue).filter(aliceTopics.contains))
        // A prefix wider than the entitlement gives its entitled part; one outside it is an error.
        #expect(try Set(Self.topics(history(["history", "NYSE."], as: alice).stdout)) == ["NYSE.IBM"])
        #expect(try Set(Self.topics(history(["history", "NAS"], as: alice).stdout)) == ["NASDAQ.AAPL", "NASDAQ.MSFT"])
        let refused = try history(["history", "ARCA."], as: alice)
        #expect(refused.exitStatus == 65, "\(refused.stderr)")
        #expect(refused.stderr.contains("not entitled to prefix 'ARCA.' (client alice)"), "\(refused.stderr)")
        let mixed = try history(["history", "NASDAQ.", "ARCA.SPY"], as: alice)
        #expect(mixed.exitStatus == 65 && mixed.stdout.isEmpty, "\(mixed.stderr)")

        let snapshot = try history(["snapshot"], as: alice)
        #expect(try Set(Self.topics(snapshot.stdout)) == aliceTopics, "\(snapshot.stderr)")
        #expect(try Set(Self.topics(history(["snapshot"], as: dave).stdout)) == ["NASDAQ.AAPL"])

        let status = try server.client(["status", "--server", server.replay] + dave)
        #expect(status.exitStatus == 65, "\(status.stderr)")
        #expect(status.stderr.contains("status needs the replay role (client dave)"), "\(status.stderr)")
        try server.stop()
    }

    @Test func sighupRereadsTheClientsFolder() throws {
        let keys = try CurveKeys()
        let admin = try keys.client("admin", roles: "publish,replay", prefixes: "*")
        let alice = try keys.client("alice", roles: "replay", prefixes: "NASDAQ.")
        let gone = try keys.client("gone", roles: "publish,replay", prefixes: "*")
        let bob = try keys.client("bob", roles: "replay", prefixes: "ARCA.", allowed: false)
        let server = try Self.server(keys)
        try Self.publishSample(100, to: server, as: admin)
        try server.waitForStatus("recorded", atLeast: 100, credentials: admin)
        func topics(as credentials: [String]) throws -> Set<String> {
            let history = try server.client(["history", "--server", server.replay, "--format", "ndjson"] + credentials)
            #expect(history.exitStatus == 0, "\(history.stderr)")
            return Set(try Self.topics(history.stdout))
        }
        #expect(try topics(as: alice) == ["NASDAQ.AAPL", "NASDAQ.MSFT"])

        // alice's entitlement changes, gone is revoked, bob is let in.
        let aliceFile = "\(keys.clientsFolder)/alice.key"
        try String(contentsOfFile: aliceFile, encoding: .utf8).replacingOccurrences(of: "prefixes = \"NASDAQ.\"", with: "prefixes = \"NYSE.\"")
            .write(toFile: aliceFile, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: "\(keys.clientsFolder)/gone.key")
        try FileManager.default.copyItem(atPath: keys.folder.path("bob.key"), toPath: "\(keys.clientsFolder)/bob.key")
        // gone, as a producer and a replay client with a message sent on each connection, sends
        // the SIGHUP itself and times how long each connection stays open after it.
        let connections = try ChildProcess(
            URL(fileURLWithPath: "/usr/bin/python3"),
            [
                "-c", PythonClients.revokedConnections, server.ingest, server.replay, keys.folder.path("server.key"),
                keys.folder.path("gone.key_secret"), String(server.process.processIdentifier),
            ])
        #expect(try connections.waitForExit() == 0, "\(connections.stderr)")
        let line = try server.process.waitForStderrLine(containing: "clients reloaded from")
        #expect(line.contains("3 clients; added bob; removed gone; changed alice"), "\(line)")
        for role in ["ingest", "replay", "idle-ingest", "idle-replay"] {
            let closed = try #require(connections.stdout.split(separator: "\n").first { $0.hasPrefix("\(role) closed after ") })
            let seconds = Double(closed.split(separator: " ").last!) ?? .infinity
            #expect(seconds < 1, "\(role): \(closed)")
        }
        for role in ["ingest", "replay"] {
            #expect(server.process.stderr.contains("closed \(role) connection"), "\(server.process.stderr)")
            #expect(server.process.stderr.contains("not yet known by name when keys were revoked"), "\(server.process.stderr)")
        }
        #expect(server.process.stderr.contains("of gone: its key was revoked"), "\(server.process.stderr)")

        #expect(try topics(as: alice) == ["NYSE.IBM", "NYSE.BRK.B"])
        #expect(try topics(as: bob) == ["ARCA.SPY"])
        let revoked = try server.client(["status", "--server", server.replay, "--timeout-ms", "3000"] + gone)
        #expect(revoked.exitStatus == 69, "\(revoked.stderr)")
        #expect(revoked.stderr.contains("this client's key is not let in"), "\(revoked.stderr)")

        // admin's key is replaced by another under the same name: the old key's connections are
        // revoked too, although the name stays let in.
        let rotated = try CurveKeyPair.generate()
        _ = try CurveCertificate(publicKey: rotated.publicKey, secretKey: rotated.secretKey, metadata: [("roles", "publish,replay"), ("prefixes", "*")])
            .write(named: "admin-new", in: keys.folder.url.path, writtenBy: "test")
        try FileManager.default.removeItem(atPath: "\(keys.clientsFolder)/admin.key")
        try FileManager.default.copyItem(atPath: keys.folder.path("admin-new.key"), toPath: "\(keys.clientsFolder)/admin.key")
        let oldKey = try ChildProcess(
            URL(fileURLWithPath: "/usr/bin/python3"),
            [
                "-c", PythonClients.revokedConnections, server.ingest, server.replay, keys.folder.path("server.key"),
                keys.folder.path("admin.key_secret"), String(server.process.processIdentifier),
            ])
        #expect(try oldKey.waitForExit() == 0, "\(oldKey.stderr)")
        for role in ["ingest", "replay", "idle-ingest", "idle-replay"] {
            let closed = try #require(oldKey.stdout.split(separator: "\n").first { $0.hasPrefix("\(role) closed after ") })
            #expect((Double(closed.split(separator: " ").last!) ?? .infinity) < 1, "\(role): \(closed)")
        }
        #expect(server.process.stderr.contains("of admin: its key was revoked"), "\(server.process.stderr)")
        let renewed = try server.client(
            ["status", "--server", server.replay, "--curve-server-key", keys.folder.path("server.key"), "--curve-key", keys.folder.path("admin-new.key_secret")])
        #expect(renewed.exitStatus == 0, "\(renewed.stderr)")
        try server.stop()
    }

    // MARK: - Configuration

    @Test func aClientsFolderWithBadFilesLoadsTheRestAndNamesThem() throws {
        let keys = try CurveKeys()
        let admin = try keys.client("admin", roles: "replay", prefixes: "*")
        try "not a certificate\n".write(toFile: "\(keys.clientsFolder)/broken.key", atomically: true, encoding: .utf8)
        try keys.client("typo", roles: "subscribe,reaplay", prefixes: "NASDAQ.")
        let server = try Self.server(keys)
        #expect(server.process.stderr.contains("client certificate left out: \(keys.clientsFolder)/broken.key: not a CURVE certificate"))
        #expect(server.process.stderr.contains("\(keys.clientsFolder)/typo.key: unknown role 'reaplay'"), "\(server.process.stderr)")
        #expect(server.process.stderr.contains("CURVE on: 1 clients"), "\(server.process.stderr)")
        _ = try Self.status(server, as: admin)
        try server.stop()
    }

    @Test func keyFilesThatCannotBeUsedAreUsageErrors() throws {
        let keys = try CurveKeys()
        let admin = try keys.client("admin", roles: "replay", prefixes: "*")
        let secret = keys.folder.path("server.key_secret")
        let folder = try TemporaryFolder()
        let base = ["--db", folder.path("feed.sqlite"), "--publish", "tcp://127.0.0.1:*", "--ingest", "tcp://127.0.0.1:*", "--replay", "tcp://127.0.0.1:*"]
        let cases: [([String], String)] = [
            (["--curve-secret", secret], "--curve-secret needs --clients DIR"),
            (["--clients", keys.clientsFolder], "--clients needs --curve-secret FILE"),
            (["--curve-secret", folder.path("missing"), "--clients", keys.clientsFolder], "--curve-secret \(folder.path("missing")): "),
            (["--curve-secret", keys.folder.path("server.key"), "--clients", keys.clientsFolder], "no secret key in it"),
            (keys.serverArguments + ["--insecure"], "--insecure contradicts --curve-secret"),
            (["--curve-secret", secret, "--clients", folder.path("none")], "cannot read the clients folder"),
        ]
        for (arguments, reason) in cases {
            let server = try ChildProcess(Binaries.server, base + arguments)
            #expect(try server.waitForExit() == 64, "\(arguments): \(server.stderr)")
            #expect(server.stderr.contains(reason), "\(arguments): \(server.stderr)")
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: secret)
        let loose = try ChildProcess(Binaries.server, base + keys.serverArguments)
        #expect(try loose.waitForExit() == 64)
        #expect(loose.stderr.contains("run chmod 600 \(secret)"), "\(loose.stderr)")

        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: keys.folder.path("admin.key_secret"))
        let client = try ChildProcess(Binaries.client, ["status"] + admin)
        #expect(try client.waitForExit() == 64)
        #expect(client.stderr.contains("--curve-key \(keys.folder.path("admin.key_secret")): holds a secret key but the group or others may read it"), "\(client.stderr)")
        let half = try ChildProcess(Binaries.client, ["status", "--curve-server-key", keys.folder.path("server.key")])
        #expect(try half.waitForExit() == 64)
        #expect(half.stderr.contains("--curve-server-key needs --curve-key"), "\(half.stderr)")
    }

    @Test func listeningBeyondLoopbackNeedsCurveOrInsecure() throws {
        let keys = try CurveKeys()
        let folder = try TemporaryFolder()
        let base = ["--db", folder.path("feed.sqlite"), "--ingest", "tcp://127.0.0.1:*", "--replay", "tcp://127.0.0.1:*"]
        let open = try ChildProcess(Binaries.server, base + ["--publish", "tcp://0.0.0.0:*"])
        #expect(try open.waitForExit() == 64)
        #expect(open.stderr.split(separator: "\n").count == 1, "\(open.stderr)")
        #expect(open.stderr.contains("--publish tcp://0.0.0.0:* listens beyond this host: give --curve-secret FILE --clients DIR, or --insecure"), "\(open.stderr)")
        for arguments in [["--publish", "tcp://*:*"], ["--publish", "tcp://127.0.0.1:*", "--replay", "tcp://eth0:*"]] {
            let refused = try ChildProcess(Binaries.server, base + arguments)
            #expect(try refused.waitForExit() == 64, "\(arguments): \(refused.stderr)")
        }
        let relay = try ChildProcess(Binaries.server, ["relay", "--upstream", "tcp://127.0.0.1:5556", "--publish", "tcp://*:*"])
        #expect(try relay.waitForExit() == 64)
        #expect(relay.stderr.contains("listens beyond this host"), "\(relay.stderr)")

        let insecure = try ServerFixture(
            extraArguments: ["--insecure"], endpoints: ["--publish", "tcp://0.0.0.0:*", "--ingest", "tcp://127.0.0.1:*", "--replay", "tcp://127.0.0.1:*"])
        try insecure.stop()
        let encrypted = try ServerFixture(
            extraArguments: keys.serverArguments,
            endpoints: ["--publish", "tcp://0.0.0.0:*", "--ingest", "tcp://127.0.0.1:*", "--replay", "tcp://127.0.0.1:*"])
        try encrypted.stop()

        let multicast = try ChildProcess(Binaries.server, base + keys.serverArguments + ["--multicast", "epgm://127.0.0.1;239.192.7.1:5601"])
        #expect(try multicast.waitForExit() == 64)
        #expect(multicast.stderr.contains("add --multicast-unencrypted"), "\(multicast.stderr)")
    }

    // MARK: - Relay and other languages

    @Test func aRelayIsACurveClientUpstreamAndACurveServerDownstream() throws {
        let originKeys = try CurveKeys()
        let admin = try originKeys.client("admin", roles: "replay", prefixes: "*")
        let relayAsClient = try originKeys.client("relay", roles: "subscribe", prefixes: "NASDAQ.")
        let origin = try Self.server(originKeys, extra: ["--demo", "2000"])
        let relayKeys = try CurveKeys()
        let alice = try relayKeys.client("alice", roles: "subscribe", prefixes: "NASDAQ.")
        let stranger = try relayKeys.client("stranger", roles: "subscribe", prefixes: "*", allowed: false)
        let relay = try ChildProcess(
            Binaries.server,
            ["relay", "--upstream", origin.publish, "--publish", "tcp://127.0.0.1:*"] + relayKeys.serverArguments + relayAsClient)
        let ready = try relay.waitForStderrLine(containing: "feed-relay ready")
        let publish = try #require(ready.split(separator: " ").first { $0.hasPrefix("publish=") }?.dropFirst("publish=".count))

        let subscriber = try origin.client(["subscribe", "NASDAQ.", "--from", String(publish), "--count", "5", "--format", "ndjson"] + alice)
        #expect(subscriber.exitStatus == 0, "\(subscriber.stderr)")
        #expect(try Self.topics(subscriber.stdout).count == 5)
        #expect(try Self.topics(subscriber.stdout).allSatisfy { $0.hasPrefix("NASDAQ.") })
        let refused = try origin.client(["subscribe", "--from", String(publish), "--count", "1", "--connect-timeout-ms", "3000"] + stranger)
        #expect(refused.exitStatus == 69, "\(refused.stderr)")
        #expect(refused.stderr.contains("this client's key is not let in"), "\(refused.stderr)")
        #expect(try Self.status(origin, as: admin)["refused_keys"] as? Int == 0)
        relay.signal(SIGTERM)
        #expect(try relay.waitForExit() == 0, "\(relay.stderr)")
        try origin.stop()
    }

    /// The pyzmq producer and subscriber of schemas/README.md, run as written (files and
    /// endpoints aside) against a server with CURVE.
    @Test func theSchemaReadmeCurveExamplesWork() throws {
        let keys = try CurveKeys()
        let admin = try keys.client("admin", roles: "replay", prefixes: "*")
        try keys.client("alice", roles: "subscribe", prefixes: "NYSE.")
        try keys.client("nyse-gw", roles: "publish", prefixes: "NYSE.")
        let server = try Self.server(keys)
        let readme = try String(contentsOf: Binaries.repositoryRoot.appendingPathComponent("schemas/README.md"), encoding: .utf8)
        let blocks = readme.components(separatedBy: "```python\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        func example(_ marker: String) throws -> String {
            try #require(blocks.first { $0.contains("zmq.auth.load_certificate") && $0.contains(marker) })
                .replacingOccurrences(of: "tcp://127.0.0.1:5556", with: server.publish)
                .replacingOccurrences(of: "tcp://127.0.0.1:5557", with: server.ingest)
        }
        func python(_ script: String) throws -> ChildProcess {
            try ChildProcess(
                URL(fileURLWithPath: "/usr/bin/python3"),
                ["-c", "import os, sys; os.chdir(sys.argv[1]); exec(sys.argv[2])", keys.folder.url.path, script])
        }
        let subscriber = try python(try example("zmq.SUB"))
        try server.waitForStatus("subscriptions", atLeast: 1, credentials: admin)
        let producer = try python(try example("zmq.PUSH"))
        #expect(try producer.waitForExit() == 0, "\(producer.stderr)")
        try server.waitForStatus("published", atLeast: 1, credentials: admin)
        #expect(try subscriber.waitForExit() == 0, "\(subscriber.stderr)")
        #expect(subscriber.stdout == "NYSE.IBM 56\n")
        try server.stop()
    }
}

/// Python clients of a CURVE server (pyzmq, libzmq 4.3.4), independent of this project's code.
enum PythonClients {
    /// argv: ingest endpoint, replay endpoint, server public certificate, client secret
    /// certificate, the server's process id. Connects a PUSH to the ingest and sends one message,
    /// connects a DEALER to the replay service and has a `status` answered, then sends SIGHUP to
    /// the server and prints how long after it each connection was closed (the monitor's
    /// DISCONNECTED): "ingest closed after S", "replay closed after S".
    static let revokedConnections = """
        import os, signal, sys, time, zmq, zmq.auth
        from zmq.utils.monitor import recv_monitor_message
        ingest, replay, server_file, client_file, pid = sys.argv[1:6]
        server_public, _ = zmq.auth.load_certificate(server_file)
        public, secret = zmq.auth.load_certificate(client_file)
        context = zmq.Context()
        def connect(kind, endpoint):
            socket = context.socket(kind)
            socket.linger = 0
            socket.curve_serverkey, socket.curve_publickey, socket.curve_secretkey = server_public, public, secret
            monitor = socket.get_monitor_socket()
            socket.connect(endpoint)
            while True:
                if not monitor.poll(10000): sys.exit(endpoint + ": no handshake within 10 s")
                event = recv_monitor_message(monitor)["event"]
                if event == zmq.EVENT_HANDSHAKE_SUCCEEDED: return socket, monitor
                if event not in (zmq.EVENT_CONNECTED, zmq.EVENT_CONNECT_DELAYED): sys.exit(endpoint + ": event %d" % event)
        push, push_monitor = connect(zmq.PUSH, ingest)
        push.send_multipart([b"NASDAQ.AAPL", b"not a quote"])
        dealer, dealer_monitor = connect(zmq.DEALER, replay)
        dealer.send(b'{"op":"status"}')
        if not dealer.poll(10000): sys.exit("no status reply within 10 s")
        dealer.recv_multipart()
        # Connections that never sent anything: the server cannot name their client.
        idle_push, idle_push_monitor = connect(zmq.PUSH, ingest)
        idle_dealer, idle_dealer_monitor = connect(zmq.DEALER, replay)
        start = time.monotonic()
        os.kill(int(pid), signal.SIGHUP)
        for role, monitor in (("ingest", push_monitor), ("replay", dealer_monitor), ("idle-ingest", idle_push_monitor),
                              ("idle-replay", idle_dealer_monitor)):
            while True:
                left = start + 10 - time.monotonic()
                if left <= 0 or not monitor.poll(int(left * 1000)): sys.exit(role + ": still open 10 s after SIGHUP")
                if recv_monitor_message(monitor)["event"] == zmq.EVENT_DISCONNECTED: break
            print(role, "closed after", round(time.monotonic() - start, 3), flush=True)
        """

    /// argv: endpoint, server public certificate, client secret certificate. Subscribes to
    /// everything, waits for the handshake's outcome on the socket monitor, then counts what
    /// arrives in one second.
    static let strangerSubscriber = """
        import sys, zmq, zmq.auth
        from zmq.utils.monitor import recv_monitor_message
        endpoint, server_file, client_file = sys.argv[1:4]
        server_public, _ = zmq.auth.load_certificate(server_file)
        public, secret = zmq.auth.load_certificate(client_file)
        context = zmq.Context()
        sub = context.socket(zmq.SUB)
        sub.curve_serverkey, sub.curve_publickey, sub.curve_secretkey = server_public, public, secret
        monitor = sub.get_monitor_socket()
        sub.setsockopt(zmq.SUBSCRIBE, b"")
        sub.connect(endpoint)
        while True:
            if not monitor.poll(10000): sys.exit("no handshake outcome within 10 s")
            event = recv_monitor_message(monitor)
            if event["event"] == zmq.EVENT_HANDSHAKE_FAILED_AUTH:
                print("auth-failed", event["value"]); break
            if event["event"] == zmq.EVENT_HANDSHAKE_SUCCEEDED: sys.exit("handshake succeeded")
        received = 0
        poller = zmq.Poller(); poller.register(sub, zmq.POLLIN)
        import time
        end = time.monotonic() + 1
        while time.monotonic() < end:
            if poller.poll(100): sub.recv_multipart(); received += 1
        print("received", received)
        """
}
