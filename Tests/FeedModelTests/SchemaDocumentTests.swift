import ChildProcesses
import FeedModel
import Foundation
import Testing

/// The repository root, found from this file's path (Tests/FeedModelTests/<file>).
private let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

private let python = "/usr/bin/python3"

/// One line of `feed_decode.py --selftest-file`: a decoded record or the reason it was rejected.
private struct PythonRecord: Decodable {
    var ok: Bool
    var kind: String?
    var error: String?
    var block: Bool?
    var topic: String?
    var type: String?
    var session: UInt32?
    var feed_seq: UInt64?
    var topic_seq: UInt64?
    var event_time_ns: Int64?
    var publish_time_ns: Int64?
    var bid_mantissa: Int64?
    var ask_mantissa: Int64?
    var bid_size: UInt32?
    var ask_size: UInt32?
    var price_mantissa: Int64?
    var size: UInt32?
    var side: String?
    var bid_text: String?
    var ask_text: String?
    var price_text: String?
    var event_time_text: String?
    var publish_time_text: String?
}

/// Runs a process to completion and returns its exit status, stdout and stderr.
private func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stdout: Data, stderr: String) {
    let process = try ChildProcess(URL(fileURLWithPath: executable), arguments, stdin: .empty)
    let status = try process.waitForExit(timeout: 60)
    return (status, Data(process.stdout.utf8), process.stderr)
}

/// Valid messages of every type with ordinary, extreme and random field values.
private func validMessages() -> [FeedMessage] {
    var random = SeededGenerator(seed: 2026)
    var messages = Samples.all
    let topics = ["NASDAQ.AAPL", "NYSE.BRK.B", "LSE.VOD", "X1.a-b_c/d.e", "CME.ESZ6"].map(topic)
    for index in 0..<60 {
        let payload: Payload
        switch index % 3 {
        case 0:
            payload = .quote(
                Quote(
                    bidPrice: Price(mantissa: .random(in: .min ... .max, using: &random)),
                    askPrice: Price(mantissa: .random(in: -1_000_000_000_000...1_000_000_000_000, using: &random)),
                    bidSize: .random(in: 0 ... .max, using: &random), askSize: .random(in: 0...1000, using: &random)))
        case 1:
            let side = [AggressorSide.unknown, .buy, .sell][Int.random(in: 0..<3, using: &random)]
            payload = .trade(
                Trade(
                    price: Price(mantissa: .random(in: .min ... .max, using: &random)),
                    size: .random(in: 0 ... .max, using: &random), aggressor: side))
        default:
            payload = .heartbeat
        }
        messages.append(
            FeedMessage(
                topic: payload == .heartbeat ? .heartbeat : topics.randomElement(using: &random)!,
                session: .random(in: 0 ... .max, using: &random), feedSequence: .random(in: 0 ... .max, using: &random),
                topicSequence: payload == .heartbeat ? 0 : .random(in: 0 ... .max, using: &random),
                eventTime: .random(in: .min ... .max, using: &random),
                publishTime: .random(in: -1_000_000_000_000_000_000...4_000_000_000_000_000_000, using: &random),
                payload: payload))
    }
    return messages
}

/// Frames that break each decoding rule once.
private func malformedFrames() -> [([UInt8], [UInt8])] {
    let quote = Samples.quote.encodedBody()
    let trade = Samples.trade.encodedBody()
    let heartbeat = Samples.heartbeat.encodedBody()
    let aapl = Array("NASDAQ.AAPL".utf8)
    var frames: [([UInt8], [UInt8])] = [
        (aapl, []),
        (aapl, Array(quote[..<39])),
        (aapl, Array(quote.dropLast())),
        (aapl, quote + [0]),
        (aapl, quote + [UInt8](repeating: 0, count: 2000)),
        (Samples.trade.topicBytes, Array(trade.dropLast())),
        (Samples.trade.topicBytes, trade + [0]),
        (Array("$HB".utf8), heartbeat + [0]),
        (Array("$HB".utf8), Array(heartbeat.dropLast())),
        ([], quote),
        (Array("NASDAQAAPL".utf8), quote),
        (Array("nasdaq.AAPL".utf8), quote),
        (Array("NASDAQ.AA PL".utf8), quote),
        (Array(("NYSE." + String(repeating: "S", count: 45)).utf8), quote),
        (Array(("N." + String(repeating: "S", count: 33)).utf8), quote),
        (Array("ABCDEFGHIJKLMNOPQ.X".utf8), quote),
        ([0xFF, 0x2E, 0x41], quote),
        ([0x4E, 0x2E, 0xC3, 0xA9], quote),
        (aapl, heartbeat),
        (Array("$HB".utf8), quote),
        (Array("$HB".utf8), trade),
        (Array("$HB.".utf8), heartbeat),
    ]
    for version: UInt8 in [0, 2, 255] {
        var body = quote
        body[0] = version
        frames.append((aapl, body))
    }
    for type: UInt8 in [0, 4, 255] { frames.append((aapl, body(type: type, length: 64))) }
    for side: UInt8 in [3, 255] {
        var body = trade
        body[52] = side
        frames.append((Samples.trade.topicBytes, body))
    }
    // Nonzero flags and padding are ignored by both decoders.
    var flagged = trade
    flagged[2] = 0xFF
    flagged[54] = 0x7F
    frames.append((Samples.trade.topicBytes, flagged))
    return frames
}

@Suite("Schema documents")
struct SchemaDocumentTests {
    @Test("the Python decoder in schemas/python agrees with the Swift decoder on every field and every rejection")
    func pythonDecoderAgreesWithSwift() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: python),
            "\(python) is missing: install Debian's python3 (CI installs python3-zmq) to check schemas/python/feed_decode.py")
        let script = repositoryRoot.appendingPathComponent("schemas/python/feed_decode.py").path
        try #require(FileManager.default.fileExists(atPath: script), "missing \(script)")

        let valid = validMessages()
        let malformed = malformedFrames()
        let frames = valid.map { ($0.topicBytes, $0.encodedBody()) } + malformed
        var block = MessageBlock()
        for (topic, body) in frames { block.append(topic: topic, body: body) }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("feed-selftest-\(UUID().uuidString).bin")
        try Data(block.bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }

        let result = try run(python, [script, "--selftest-file", file.path])
        try #require(result.status == 0, "feed_decode.py exited \(result.status): \(result.stderr)")
        let lines = result.stdout.split(separator: UInt8(ascii: "\n"))
        try #require(lines.count == frames.count, "\(lines.count) lines for \(frames.count) records; stderr: \(result.stderr)")

        var accepted = 0
        var rejected = 0
        for ((topic, body), line) in zip(frames, lines) {
            let record = try JSONDecoder().decode(PythonRecord.self, from: Data(line))
            let context = "record \(String(decoding: line, as: UTF8.self))"
            switch Result(catching: { () throws(WireError) in try FeedMessage(topic: topic, body: body) }) {
            case .failure(let error):
                rejected += 1
                #expect(!record.ok, "Python accepted what Swift rejects (\(error)): \(context)")
                #expect(record.kind == error.kind, "\(context); Swift: \(error)")
            case .success(let message):
                accepted += 1
                try #require(record.ok, "Python rejected what Swift accepts: \(context)")
                #expect(record.topic == message.topic.rawValue, "\(context)")
                #expect(record.type == message.payload.type.description, "\(context)")
                #expect(record.session == message.session, "\(context)")
                #expect(record.feed_seq == message.feedSequence, "\(context)")
                #expect(record.topic_seq == message.topicSequence, "\(context)")
                #expect(record.event_time_ns == message.eventTime, "\(context)")
                #expect(record.publish_time_ns == message.publishTime, "\(context)")
                #expect(record.event_time_text == Timestamp(nanoseconds: message.eventTime).description, "\(context)")
                #expect(record.publish_time_text == Timestamp(nanoseconds: message.publishTime).description, "\(context)")
                switch message.payload {
                case .quote(let quote):
                    #expect(record.bid_mantissa == quote.bidPrice.mantissa, "\(context)")
                    #expect(record.ask_mantissa == quote.askPrice.mantissa, "\(context)")
                    #expect(record.bid_size == quote.bidSize, "\(context)")
                    #expect(record.ask_size == quote.askSize, "\(context)")
                    #expect(record.bid_text == quote.bidPrice.description, "\(context)")
                    #expect(record.ask_text == quote.askPrice.description, "\(context)")
                    #expect(record.price_mantissa == nil && record.side == nil, "\(context)")
                case .trade(let trade):
                    #expect(record.price_mantissa == trade.price.mantissa, "\(context)")
                    #expect(record.size == trade.size, "\(context)")
                    #expect(record.side == trade.aggressor.description, "\(context)")
                    #expect(record.price_text == trade.price.description, "\(context)")
                    #expect(record.bid_mantissa == nil, "\(context)")
                case .heartbeat:
                    #expect(record.bid_mantissa == nil && record.price_mantissa == nil, "\(context)")
                }
            }
        }
        // Every malformed frame is rejected but the last (nonzero flags and padding are ignored).
        #expect(accepted == valid.count + 1)
        #expect(rejected == malformed.count - 1)
    }

    @Test("the Python block reader rejects a truncated block")
    func pythonBlockReaderRejectsTruncation() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: python),
            "\(python) is missing: install Debian's python3 (CI installs python3-zmq)")
        let script = repositoryRoot.appendingPathComponent("schemas/python/feed_decode.py").path
        var block = MessageBlock()
        for message in Samples.ordinary { block.append(message) }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("feed-selftest-\(UUID().uuidString).bin")
        try Data(block.bytes.dropLast(5)).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try run(python, [script, "--selftest-file", file.path])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: UInt8(ascii: "\n"))
        try #require(lines.count == 3, "stdout: \(String(decoding: result.stdout, as: UTF8.self)) stderr: \(result.stderr)")
        let last = try JSONDecoder().decode(PythonRecord.self, from: Data(lines[2]))
        #expect(!last.ok && last.kind == "too_short" && last.block == true)
    }

    @Test("feed-v1.xml's ids, block lengths and field offsets match the bytes the Swift encoder writes")
    func sbeSchemaMatchesEncoder() throws {
        let xml = try String(contentsOf: repositoryRoot.appendingPathComponent("schemas/feed-v1.xml"), encoding: .utf8)
        #expect(xml.contains(#"byteOrder="littleEndian""#))
        #expect(xml.contains(#"<sbe:messageSchema"#))
        #expect(xml.contains(#"<type name="exponent" primitiveType="int8" presence="constant">-8</type>"#))

        let sizes = [
            "uint8": 1, "uint16": 2, "uint32": 4, "uint64": 8, "int64": 8, "MessageType": 1, "AggressorSide": 1,
            "Price": 8, "Quantity": 4, "Padding3": 3,
        ]
        // Field name -> how to read the value the encoder wrote for it.
        func expected(_ field: String, in message: FeedMessage) -> UInt64? {
            switch (field, message.payload) {
            case ("schemaVersion", _): 1
            case ("messageType", _): UInt64(message.payload.type.rawValue)
            case ("flags", _), ("padding", _): 0
            case ("sessionId", _): UInt64(message.session)
            case ("feedSeq", _): message.feedSequence
            case ("topicSeq", _): message.topicSequence
            case ("eventTimeNs", _): UInt64(bitPattern: message.eventTime)
            case ("publishTimeNs", _): UInt64(bitPattern: message.publishTime)
            case ("bidPrice", .quote(let quote)): UInt64(bitPattern: quote.bidPrice.mantissa)
            case ("askPrice", .quote(let quote)): UInt64(bitPattern: quote.askPrice.mantissa)
            case ("bidSize", .quote(let quote)): UInt64(quote.bidSize)
            case ("askSize", .quote(let quote)): UInt64(quote.askSize)
            case ("price", .trade(let trade)): UInt64(bitPattern: trade.price.mantissa)
            case ("size", .trade(let trade)): UInt64(trade.size)
            case ("aggressorSide", .trade(let trade)): UInt64(trade.aggressor.rawValue)
            default: nil
            }
        }
        func littleEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
            bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }
        /// Checks that `fields` tile `start..<end` of the body and each holds the encoder's value.
        func check(_ fields: [(name: String, type: String, offset: Int)], from start: Int, to end: Int, _ message: FeedMessage) {
            var position = start
            let body = message.encodedBody()
            for field in fields.sorted(by: { $0.offset < $1.offset }) {
                guard let size = sizes[field.type] else {
                    Issue.record("unknown type \(field.type) of \(field.name)")
                    return
                }
                #expect(field.offset == position, "\(field.name) at \(field.offset), expected \(position)")
                let value = littleEndian(body[field.offset..<field.offset + size])
                #expect(value == expected(field.name, in: message), "\(field.name) of \(message.payload.type)")
                position = field.offset + size
            }
            #expect(position == end, "fields of \(message.payload.type) end at \(position), body at \(end)")
        }

        let headerRegex = try Regex(#"<composite name="FeedHeader"[^>]*>(.*?)</composite>"#).dotMatchesNewlines()
        let memberRegex = try Regex(#"<(?:type|ref) name="(\w+)" (?:primitiveType|type)="(\w+)" offset="(\d+)""#)
        let messageRegex = try Regex(#"<sbe:message name="(\w+)" id="(\d+)" blockLength="(\d+)"[^>]*>(.*?)</sbe:message>"#)
            .dotMatchesNewlines()
        let fieldRegex = try Regex(#"<field name="(\w+)" id="\d+" type="(\w+)" offset="(\d+)""#)

        func members(_ text: Substring, _ regex: Regex<AnyRegexOutput>) -> [(name: String, type: String, offset: Int)] {
            text.matches(of: regex).map { match in
                (String(match.output[1].substring!), String(match.output[2].substring!), Int(match.output[3].substring!)!)
            }
        }

        let header = try #require(xml.firstMatch(of: headerRegex)?.output[1].substring)
        let headerFields = members(header, memberRegex)
        #expect(headerFields.count == 8)
        for message in Samples.all { check(headerFields, from: 0, to: WireLayout.headerLength, message) }

        var seenTypes: [MessageType] = []
        for match in xml.matches(of: messageRegex) {
            let name = String(match.output[1].substring!)
            let type = try #require(MessageType(rawValue: UInt8(match.output[2].substring!)!), "message \(name)")
            seenTypes.append(type)
            #expect(name.lowercased() == type.description)
            #expect(Int(match.output[3].substring!) == type.bodyLength, "blockLength of \(name)")
            let fields = members(match.output[4].substring!, fieldRegex)
            for message in Samples.all where message.payload.type == type {
                check(fields, from: WireLayout.headerLength, to: type.bodyLength, message)
            }
        }
        #expect(seenTypes == MessageType.allCases)
    }

    @Test("the README documents the header struct format and the numbers a decoder needs")
    func readmeMentionsTheEssentials() throws {
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("schemas/README.md"), encoding: .utf8)
        for needle in ["<BBHIQQqq", "<qqII", "<qIB3x", "$HB", "10^-8", "tcp://127.0.0.1:5556", "history.sql", "feed-v1.xml"] {
            #expect(readme.contains(needle), "schemas/README.md does not mention \(needle)")
        }
    }
}
