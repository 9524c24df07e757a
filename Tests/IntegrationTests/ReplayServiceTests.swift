import FeedHistory
import FeedModel
import ChildProcesses
import Foundation
import Testing
import ZeroMQ

/// The replay service of a real feed-server: clear errors for bad requests, capped pages, and
/// no unbounded buffering for a client that does not read.
@Suite(.serialized)
struct ReplayServiceTests {
    /// Sends `frames` as one request and returns the reply's JSON frame as text.
    static func ask(_ dealer: ZMQSocket, _ frames: [String]) throws -> String {
        try exchange(dealer, frames).reply
    }

    /// Sends `frames` as one request and returns the reply: its JSON frame as text, and its block.
    static func exchange(_ dealer: ZMQSocket, _ frames: String...) throws -> (reply: String, block: [UInt8]) {
        try exchange(dealer, frames)
    }

    private static func exchange(_ dealer: ZMQSocket, _ frames: [String]) throws -> (reply: String, block: [UInt8]) {
        try dealer.send(frames: frames.map { Array($0.utf8) })
        #expect(try dealer.waitReadable(timeoutMilliseconds: 5000))
        let reply = try #require(try dealer.receiveFrames())
        try #require(reply.count == 2)
        return (String(decoding: reply[0], as: UTF8.self), reply[1])
    }

    static func dealer(_ context: ZMQContext, _ endpoint: String, receiveHighWaterMark: Int32 = 1000) throws -> ZMQSocket {
        let dealer = try ZMQSocket(context, .dealer)
        try dealer.set(.linger, 0)
        try dealer.set(.receiveHighWaterMark, receiveHighWaterMark)
        try dealer.connect(endpoint)
        return dealer
    }

    @Test func badRequestsGetErrorsNamingTheMistakeAndPagesAreCapped() throws {
        let server = try ServerFixture(extraArguments: ["--replay-page-limit", "100", "--block-messages", "50"])
        let (csv, _) = FeedEndToEndTests.sampleInput(count: 1000)
        try server.folder.write(csv, to: "input.csv")
        #expect(try server.client(["publish", "--to", server.ingest, server.folder.path("input.csv")]).exitStatus == 0)
        let context = try ZMQContext()
        let dealer = try Self.dealer(context, server.replay)
        let requests: [(String, String)] = [
            ("not json", "malformed request: not JSON"),
            ("[1,2]", "malformed request: not a JSON object"),
            (#"{"op":"explode"}"#, "malformed request: unknown op 'explode': expected history, snapshot or status"),
            (#"{"prefix":"NASDAQ."}"#, "missing field 'op'"),
            (#"{"op":"history","fromSeq":3}"#, "unknown field 'fromSeq'"),
            (#"{"op":"history","from_seq":-5}"#, "bad field 'from_seq': expected an integer from 0 to 18446744073709551615, got -5"),
            (#"{"op":"history","session":99999999999}"#, "bad field 'session': expected an integer from 0 to 4294967295, got 99999999999"),
            (#"{"op":"history","limit":true}"#, "bad field 'limit': expected an integer"),
            (#"{"op":"history","prefix":7}"#, "bad field 'prefix': expected a string"),
            (#"{"op":"history","since":200,"until":100}"#, "empty time range"),
            (#"{"op":"history","from_seq":9,"to_seq":3}"#, "empty sequence range: from_seq 9 is after to_seq 3"),
            (#"{"op":"history","page_size":0}"#, "page_size must be positive, got 0"),
            (#"{"op":"history","limit":-1}"#, "limit must not be negative"),
            (#"{"op":"history","prefix":"bad prefix"}"#, "bad prefix"),
            (#"{"op":"history","cursor":"x"}"#, "bad cursor"),
            (#"{"op":"snapshot","since":5,"until":1}"#, "'since' does not apply to op 'snapshot'"),
            (#"{"op":"status","prefix":"NYSE."}"#, "'prefix' does not apply to op 'status'"),
            (#"{"op":"history","prefix":"NYSE.","prefixes":["NASDAQ."]}"#, "give 'prefix' or 'prefixes', not both"),
            (#"{"op":"snapshot","prefix":"","prefixes":[""]}"#, "give 'prefix' or 'prefixes', not both"),
            (#"{"op":"history","prefixes":[]}"#, "'prefixes' is empty: give at least one prefix"),
            (#"{"op":"snapshot","prefixes":[]}"#, "'prefixes' is empty"),
            (#"{"op":"history","prefixes":["NYSE.","bad prefix"]}"#,
             "'prefixes' item 1: subscription prefix 'bad prefix' cannot start any VENUE.SYMBOL topic"),
            (#"{"op":"snapshot","prefixes":["NYSE.","NASDAQ.AAPL","nyse."]}"#, "'prefixes' item 2: subscription prefix 'nyse.'"),
            (#"{"op":"history","prefixes":"NYSE."}"#, "bad field 'prefixes': expected a list of strings, got the string 'NYSE.'"),
            (#"{"op":"history","prefixes":["NYSE.",7]}"#, "bad field 'prefixes': expected a list of strings, got a list holding a non-string"),
            (#"{"op":"history","prefixes":[\#(Array(repeating: #""NYSE.""#, count: 1001).joined(separator: ","))]}"#,
             "'prefixes' lists 1001 prefixes, more than 1000"),
            (#"{"op":"status","prefixes":["NYSE."]}"#, "'prefixes' does not apply to op 'status'"),
            (#"{"op":"snapshot","cursor":"12:3"}"#, "bad cursor '12:3': a snapshot continues after a topic"),
            (#"{"op":"snapshot","limit":3}"#, "'limit' does not apply to op 'snapshot'"),
            (#"{"op":"snapshot","page_size":0}"#, "page_size must be positive, got 0"),
            // JSONSerialization would keep the last of repeated keys: each is refused, named.
            (#"{"op":"status","op":"history"}"#, "malformed request: duplicate field 'op': each field may be given once"),
            (#"{"op":"history","prefix":"NYSE.","o\u0070":"status"}"#, "duplicate field 'op'"),
            (#"{"op":"history","limit":5,"prefixes":[{"limit":1}],"limit":6}"#, "duplicate field 'limit'"),
            (#"{"op":"history","note":"\"op\":1","op":"status"}"#, "duplicate field 'op'"),
            (#"{"note":"\"op\":1,","op":"status"}"#, "unknown field 'note'"),  // A key in a string is no key.
        ]
        for (request, reason) in requests {
            let reply = try Self.ask(dealer, [request])
            #expect(reply.contains("\"ok\":false") && reply.contains(reason), "\(request) -> \(reply)")
        }
        // Two frames from a DEALER are not a REQ envelope unless the first is empty.
        let twoFrames = try Self.ask(dealer, ["x", #"{"op":"status"}"#])
        #expect(twoFrames.contains("\"ok\":false") && twoFrames.contains("expected one request frame"), "\(twoFrames)")
        // The id comes back, on errors too, so a client can match replies to requests.
        #expect(try Self.ask(dealer, [#"{"op":"status","id":42}"#]).contains("\"id\":42"))
        #expect(try Self.ask(dealer, [#"{"op":"explode","id":7}"#]).contains("\"id\":7"))
        #expect(try Self.ask(dealer, [#"{"op":"status","op":"history","id":8}"#]).contains("\"id\":8"))
        // Given twice, the id is not echoed: neither is the request's.
        let twoIDs = try Self.ask(dealer, [#"{"op":"status","id":8,"id":9}"#])
        #expect(twoIDs.contains("duplicate field 'id'") && !twoIDs.contains("\"id\""), "\(twoIDs)")

        // However much a client asks for, one reply holds at most the server's page limit; the
        // rest is pulled page by page.
        try server.waitForStatus("recorded", atLeast: 1000)
        let page = try Self.ask(dealer, [#"{"op":"history","page_size":1000000}"#])
        #expect(page.contains("\"count\":100") && page.contains("\"next\""), "\(page)")
        let window = try Self.ask(dealer, [#"{"op":"history","from_seq":10,"to_seq":19}"#])
        #expect(window.contains("\"count\":10") && !window.contains("\"next\""), "\(window)")
        let everything = try server.client(["history", "--server", server.replay, "--format", "csv"])
        #expect(everything.stdout.split(separator: "\n").count == 1001)
        #expect(try Self.ask(dealer, [#"{"op":"status"}"#]).contains("\"ok\":true"))
        try server.stop()
    }

    @Test func singlePrefixRequestsAsBeforeAndPrefixListsAnswerWhatTheHistoryHolds() throws {
        let server = try ServerFixture()
        try server.publishRecordedSample(count: 1000)
        let store = try HistoryStore(path: server.databasePath, readOnly: true)
        let context = try ZMQContext()
        let dealer = try Self.dealer(context, server.replay)
        // As a client written before prefix lists and snapshot pages asks: one reply, no `next`.
        let snapshot = try Self.exchange(dealer, #"{"op":"snapshot","prefix":"NASDAQ."}"#)
        #expect(snapshot.reply.contains("\"count\":2") && !snapshot.reply.contains("\"next\""), "\(snapshot.reply)")
        #expect(snapshot.block == (try store.snapshot(prefix: try TopicPrefix("NASDAQ."), at: nil)).bytes)
        let history = try Self.exchange(dealer, #"{"op":"history","prefix":"NYSE."}"#)
        #expect(!history.reply.contains("\"next\""), "\(history.reply)")
        #expect(history.block == (try store.queryAll(HistoryQuery(prefix: try TopicPrefix("NYSE.")))).bytes)
        // Several prefixes, overlapping: each message once, in publish order; a snapshot's topics in order.
        let listed = try Self.exchange(dealer, #"{"op":"history","prefixes":["NYSE.IBM","ARCA.SPY","NYSE."]}"#)
        let union = try store.queryAll(HistoryQuery()).decoded().filter { $0.topic.venue == "NYSE" || $0.topic.rawValue == "ARCA.SPY" }
        #expect(listed.reply.contains("\"count\":\(union.count)") && !listed.reply.contains("\"next\""), "\(listed.reply)")
        #expect(try MessageBlock(bytes: listed.block, count: union.count).decoded() == union)
        let lastValues = try Self.exchange(dealer, #"{"op":"snapshot","prefixes":["NYSE.IBM","ARCA.SPY","NASDAQ.MSFT"]}"#)
        let topics = try MessageBlock(bytes: lastValues.block, count: 3).decoded().map(\.topic.rawValue)
        // In the order the history first recorded them.
        var firstSeen: [String] = []
        for message in try store.queryAll(HistoryQuery()).decoded() where !firstSeen.contains(message.topic.rawValue) {
            firstSeen.append(message.topic.rawValue)
        }
        #expect(topics == firstSeen.filter { ["ARCA.SPY", "NASDAQ.MSFT", "NYSE.IBM"].contains($0) }, "\(lastValues.reply)")
        try server.stop()
    }

    /// The value of `field` in a reply's JSON.
    static func field(_ field: String, of reply: String) throws -> Any? {
        try #require(try JSONSerialization.jsonObject(with: Data(reply.utf8)) as? [String: Any], "\(reply)")[field]
    }

    @Test func limitCountsFromTheCursorAndEndsTheAnswer() throws {
        let server = try ServerFixture(extraArguments: ["--replay-page-limit", "40"])
        try server.publishRecordedSample(count: 1000)
        let context = try ZMQContext()
        let dealer = try Self.dealer(context, server.replay)
        func ask(_ request: String) throws -> (count: Int, next: String?) {
            let reply = try Self.ask(dealer, [request])
            return (try #require(try Self.field("count", of: reply) as? Int, "\(reply)"), try Self.field("next", of: reply) as? String)
        }
        // Within a page: exactly the limit, and complete (it printed 10,000 for 5, a whole page).
        let five = try ask(#"{"op":"history","limit":5}"#)
        #expect(five.count == 5 && five.next == nil)
        #expect(try ask(#"{"op":"history","limit":0}"#) == (0, nil))
        // Over pages: the page cap, then what is still wanted, sent with the cursor.
        let first = try ask(#"{"op":"history","limit":100}"#)
        #expect(first.count == 40)
        let second = try ask(#"{"op":"history","limit":60,"cursor":"\#(try #require(first.next))"}"#)
        #expect(second.count == 40)
        let third = try ask(#"{"op":"history","limit":20,"cursor":"\#(try #require(second.next))"}"#)
        #expect(third.count == 20 && third.next == nil)
        // A limit the history does not reach changes nothing: NASDAQ.AAPL after feed sequence 990.
        #expect(try ask(#"{"op":"history","prefix":"NASDAQ.AAPL","from_seq":990,"limit":500}"#) == (2, nil))

        // feed-client pages with the remainder: exactly the limit, from the server as from the file.
        for source in [["--server", server.replay], ["--db", server.databasePath]] {
            for arguments in [["--limit", "100"], ["NASDAQ.AAPL", "NYSE.", "--limit", "150"], ["--limit", "5000"]] {
                let history = try server.client(["history", "--format", "csv"] + arguments + source)
                let expected = arguments.last == "5000" ? 1000 : Int(arguments.last!)!
                #expect(history.stdout.split(separator: "\n").count == expected + 1, "\(arguments) \(source): \(history.stderr)")
            }
        }
        try server.stop()
    }

    /// The Python replay example of schemas/README.md, run as written (the endpoint aside),
    /// prints exactly its limit of 100 messages over three pages of 40 (it printed 2,101).
    @Test func theSchemaReadmeReplayExamplePrintsExactlyItsLimit() throws {
        let server = try ServerFixture(extraArguments: ["--replay-page-limit", "40"])
        try server.publishRecordedSample(count: 1000)
        let readme = try String(contentsOf: Binaries.repositoryRoot.appendingPathComponent("schemas/README.md"), encoding: .utf8)
        let blocks = readme.components(separatedBy: "```python\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        let example = try #require(blocks.first { $0.contains("'op': 'history'") && $0.contains("'limit': 100") })
        let script = example.replacingOccurrences(of: "tcp://127.0.0.1:5558", with: server.replay)
        let python = try ChildProcess(URL(fileURLWithPath: "/usr/bin/python3"), ["-c", "import os, sys; os.chdir(sys.argv[1]); sys.path.insert(0, '.'); exec(sys.argv[2])", Binaries.repositoryRoot.appendingPathComponent("schemas/python").path, script])
        #expect(try python.waitForExit(timeout: 60) == 0, "\(python.stderr)")
        let lines = python.stdout.split(separator: "\n")
        #expect(lines.count == 100, "\(python.stderr)")
        #expect(lines.allSatisfy { $0.contains("NASDAQ.AAPL") })
        try server.stop()
    }

    @Test func anOversizedRequestIsDroppedWithItsConnectionAndTheSocketStaysUsable() throws {
        let server = try ServerFixture()
        let context = try ZMQContext()
        let dealer = try Self.dealer(context, server.replay)
        let monitor = try ZMQMonitor(dealer)
        #expect(try Self.ask(dealer, [#"{"op":"status","id":1}"#]).contains("\"id\":1"))
        let prefixes = (0..<6000).map { #""NASDAQ.A\#($0)""# }.joined(separator: ",")
        let oversized = #"{"op":"history","id":2,"prefixes":[\#(prefixes)]}"#
        #expect(oversized.utf8.count > 64 * 1024)
        try dealer.send(Array(oversized.utf8))
        // libzmq in the server closes the connection; the client's libzmq reconnects by itself.
        var events: [ZMQMonitor.Event.Kind] = []
        while !events.contains(.disconnected) || events.last != .handshakeSucceeded {
            guard let event = try monitor.next(timeoutMilliseconds: 10_000) else { break }
            events.append(event.kind)
        }
        #expect(events.contains(.disconnected) && events.last == .handshakeSucceeded, "\(events)")
        // The next request is answered; the oversized one never is.
        #expect(try Self.ask(dealer, [#"{"op":"status","id":3}"#]).contains("\"id\":3"))
        // Counted: the two status requests and this one (a long timeout: no resend is counted).
        #expect(try Self.replayCounters(server, timeoutMilliseconds: 60_000).requests == 3, "the oversized request reached the replay service")
        try server.stop()
    }

    /// The replay service's own counters, from `feed-client status`.
    static func replayCounters(_ server: ServerFixture, timeoutMilliseconds: Int = 5000) throws -> (requests: Int, dropped: Int) {
        let status = try server.client(["status", "--server", server.replay, "--timeout-ms", String(timeoutMilliseconds)])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let replay = try #require(json["replay"] as? [String: Any], "\(json)")
        return (replay["requests"] as? Int ?? -1, replay["dropped_replies"] as? Int ?? -1)
    }

    @Test func clientThatNeverReadsCannotMakeTheServerBufferWithoutBound() throws {
        let server = try ServerFixture()
        try server.publishRecordedSample(count: 10_000)
        let context = try ZMQContext()
        // Its own queue holds one reply: beyond that, unread replies stay with the server.
        let flood = try Self.dealer(context, server.replay, receiveHighWaterMark: 1)
        // Warm up the page path once, so what follows measures buffering only.
        _ = try Self.ask(flood, [#"{"op":"history","page_size":10000}"#])
        let before = try server.residentBytes / 1024
        let baseline = try Self.replayCounters(server).requests

        // 150 requests for a full page (about 800 KB each), none of whose replies is read.
        let requests = 150
        for _ in 0..<requests { try flood.send(Array(#"{"op":"history","page_size":10000}"#.utf8)) }
        // Each status request counts itself: the server took every page request when the count
        // passes them and the status requests asked so far.
        var asked = 1
        var counters = try Self.replayCounters(server)
        let deadline = Date().addingTimeInterval(30)
        while counters.requests < baseline + requests + asked && Date() < deadline {
            counters = try Self.replayCounters(server)
            asked += 1
        }
        #expect(counters.requests >= baseline + requests + asked, "the server did not take every request: \(counters)")
        let grown = try server.residentBytes / 1024 - before

        // Unbounded, the 150 pages would add about 120 MB; bounded, a few pages.
        #expect(grown < 40_000, "server grew \(grown) kB for a client that does not read")
        #expect(counters.dropped >= requests / 2, "\(counters)")
        // A client that reads is still answered at once.
        let count = try server.client(["history", "--server", server.replay, "--count-only"])
        #expect(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "10000", "\(count.stderr)")
        try server.stop()
    }

    /// A long export is many page requests; the service serves one page per request and takes
    /// requests from its clients in turn, so a `status` from another client is answered while
    /// the export still has pages to come, not after them (issue 9: one heavy query never holds
    /// the others). Each reply's `requests` counter says when it was served.
    @Test func statusIsAnsweredBetweenThePagesOfALongExport() throws {
        let server = try ServerFixture()
        try server.publishRecordedSample(count: 10_000)
        let context = try ZMQContext()
        let export = try Self.dealer(context, server.replay, receiveHighWaterMark: 1)
        let other = try Self.dealer(context, server.replay)
        func servedBefore() throws -> Int {
            let reply = try Self.ask(other, [#"{"op":"status"}"#])
            let json = try #require(try JSONSerialization.jsonObject(with: Data(reply.utf8)) as? [String: Any])
            let status = try #require(json["status"] as? [String: Any], "\(json)")
            let replay = try #require(status["replay"] as? [String: Any], "\(status)")
            return try #require(replay["requests"] as? Int, "\(replay)")
        }
        let before = try servedBefore()
        // 200 full pages of the history (each reply ~800 KB), asked all at once, none read.
        let pages = 200
        for _ in 0..<pages { try export.send(Array(#"{"op":"history","page_size":10000}"#.utf8)) }
        let served = try servedBefore()
        // Served after every queued page, the count would be before + pages + 1.
        #expect(served < before + 1 + pages / 2, "status served after \(served - before - 1) of \(pages) export pages")
        try server.stop()
    }
}
