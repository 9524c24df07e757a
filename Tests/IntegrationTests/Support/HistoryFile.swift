import ChildProcesses
import Foundation
import Testing

/// Every message of a history file, read by Python's sqlite3 and struct straight from the
/// `blocks` table: independent of FeedHistory, for brute-force expectations.
enum HistoryFile {
    /// One recorded message.
    struct Record {
        let topic: String
        let session: UInt32
        let feedSequence: UInt64
        let topicSequence: UInt64
        let publishTime: Int64

        var delivered: GapRepairTests.Delivered {
            GapRepairTests.Delivered(session: session, feedSequence: feedSequence, topic: topic, topicSequence: topicSequence)
        }
    }

    /// The messages of the file at `database`, in publish order (block, then place in the block).
    static func records(_ database: String) throws -> [Record] {
        let script = """
            import sqlite3, struct, sys
            out = []
            for (payload,) in sqlite3.connect(sys.argv[1]).execute('SELECT payload FROM blocks ORDER BY block_id'):
                offset = 0
                while offset < len(payload):
                    (topic_length,) = struct.unpack_from('<H', payload, offset)
                    topic = payload[offset + 2:offset + 2 + topic_length]
                    (body_length,) = struct.unpack_from('<H', payload, offset + 2 + topic_length)
                    body = payload[offset + 4 + topic_length:offset + 4 + topic_length + body_length]
                    offset += 4 + topic_length + body_length
                    _, _, _, session, seq, topic_seq, _, published = struct.unpack_from('<BBHIQQqq', body, 0)
                    out.append('%s %d %d %d %d' % (topic.decode('ascii'), session, seq, topic_seq, published))
            sys.stdout.write('\\n'.join(out) + '\\n')
            """
        let python = try ChildProcess(URL(fileURLWithPath: "/usr/bin/python3"), ["-c", script, database])
        #expect(try python.waitForExit(timeout: 120) == 0, "\(python.stderr)")
        return try python.stdout.split(separator: "\n").map { line in
            let fields = line.split(separator: " ")
            guard fields.count == 5, let session = UInt32(fields[1]), let sequence = UInt64(fields[2]),
                let topicSequence = UInt64(fields[3]), let published = Int64(fields[4])
            else { throw FixtureFailure("unreadable record line: \(line)") }
            return Record(
                topic: String(fields[0]), session: session, feedSequence: sequence, topicSequence: topicSequence,
                publishTime: published)
        }
    }

    /// The last message of each topic under any of `prefixes` published at or before `at`,
    /// topics in the order the history first recorded them (as snapshots give them).
    static func lastValues(_ records: [Record], prefixes: Watchlist, at: Int64 = .max) -> [Record] {
        var last: [String: Record] = [:]
        var firstSeen: [String] = []
        var seen = Set<String>()
        for record in records {
            if seen.insert(record.topic).inserted { firstSeen.append(record.topic) }
            if record.publishTime <= at && prefixes.matches(record.topic) { last[record.topic] = record }
        }
        return firstSeen.compactMap { last[$0] }
    }
}

/// A list of topic prefixes that tells fast whether a topic is under any of them, however many
/// there are (a topic's own beginnings are looked up), for brute-force expectations.
struct Watchlist {
    let prefixes: [String]
    private let set: Set<String>

    init(_ prefixes: [String]) {
        self.prefixes = prefixes
        set = Set(prefixes)
    }

    func matches(_ topic: String) -> Bool {
        let bytes = Array(topic.utf8)
        return (0...bytes.count).contains { set.contains(String(decoding: bytes[..<$0], as: UTF8.self)) }
    }

    /// The list as a `--prefixes-from` file: a comment, then one prefix a line.
    var file: String { "# watchlist\n" + prefixes.joined(separator: "\n") + "\n" }
}
