import ArgumentParser
import FeedHistory
import FeedModel
import Foundation

/// `feed-bench record`: appends the benchmark messages to a new history file the way the
/// server's recorder does (blocks of `--block-messages`, several blocks per transaction) and
/// prints the rate and the CPU time the writing took (getrusage, user + system), for comparison
/// with `sqlite_insert` writing the same messages a row each. With `--retain-size`, retention
/// works as in the server's recorder: after each transaction, the oldest segment is deleted in
/// its own small transaction while the pages in use are over the limit.
struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record", abstract: "Write benchmark messages to a new history file; print the rate as JSON.")

    @Option(name: .customShort("f"), help: "The history file to create (removed first).")
    var file: String

    @Option(name: .customShort("n"), help: "Messages to write.")
    var messages = 5_000_000

    @Option(help: "Messages per block (feed-server's --block-messages).")
    var blockMessages = 4096

    @Option(help: "Blocks per transaction (the recorder writes every block waiting in one).")
    var blocksPerTransaction = 8

    @Option(help: "Distinct topics the messages cycle through (the symbol universe).")
    var topics = BenchmarkMessages.topicCount

    @Option(help: "Keep the pages in use under about this many bytes, deleting the oldest segments.")
    var retainSize: Int64?

    func validate() throws {
        guard messages > 0, blockMessages > 0, blocksPerTransaction > 0, topics > 0, retainSize ?? 1 > 0 else {
            throw ValidationError("counts must be positive")
        }
    }

    func run() throws {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) }
        let store = try HistoryStore(path: file)
        try store.registerSession(BenchmarkMessages.session, startedAt: Timestamp(nanoseconds: BenchmarkMessages.baseTime))
        // Options read once: a property wrapper's getter per message would be measured too.
        let (messages, blockMessages, blocksPerTransaction) = (messages, blockMessages, blocksPerTransaction)
        let retention = RetentionPolicy(maximumBytes: retainSize)
        let now = Timestamp.now()
        var generator = BenchmarkMessages(topicCount: topics)
        var batch: [MessageBlock] = []
        var block = MessageBlock(reservingCapacity: blockMessages * 80)
        var expireTime = Duration.zero
        let started = ContinuousClock.now
        let cpuStarted = ProcessCPU.seconds()
        for index in 1...messages {
            generator.append(index, to: &block)
            if block.count == blockMessages || index == messages {
                batch.append(block)
                block = MessageBlock(reservingCapacity: blockMessages * 80)
                if batch.count == blocksPerTransaction || index == messages {
                    try store.append(batch)
                    batch.removeAll(keepingCapacity: true)
                    let expiring = ContinuousClock.now
                    _ = try store.expireOldestSegment(retention, now: now)
                    expireTime += ContinuousClock.now - expiring
                }
            }
        }
        let seconds = (ContinuousClock.now - started).seconds
        let cpuSeconds = ProcessCPU.seconds() - cpuStarted
        let stored = try store.messageCount()
        let range = try store.retainedRange()
        printJSON([
            "rows": messages, "seconds": seconds, "rate": Double(messages) / seconds, "cpu_seconds": cpuSeconds,
            "count": stored, "expired": Int(range.expiredMessages), "file_bytes": Int(range.fileBytes),
            "expire_seconds": expireTime.seconds,
        ])
        if stored + Int(range.expiredMessages) != messages { throw ExitCode(2) }
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
