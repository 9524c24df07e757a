@testable import FeedHistory
import FeedModel
import Foundation
import GRDB
import Testing

/// Opening, sessions, appending and the schema file.
struct HistoryStoreTests {
    @Test func createsTheFileAndMissingFolders() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/a/b/c/feed.sqlite"
            let store = try HistoryStore(path: path)
            #expect(store.path == path)
            #expect(FileManager.default.fileExists(atPath: path))
            #expect(try store.lastSession() == nil)
            // Reopening an existing history keeps it.
            try store.append([SyntheticFeed(messagesPerSession: 10).blocks[0]])
            let count = try store.messageCount()
            #expect(count > 0)
            #expect(try HistoryStore(path: path).messageCount() == count)
        }
    }

    @Test func randomBytesAreNotAHistory() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/junk.sqlite"
            var random = SeededGenerator(seed: 42)
            let bytes = (0..<8192).map { _ in UInt8.random(in: 0...255, using: &random) }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            for readOnly in [false, true] {
                let error = expectHistoryError(.notAHistory) { _ = try HistoryStore(path: path, readOnly: readOnly) }
                #expect(error?.description == "\(path) is not a feed history database (file is not a database)")
            }
            // Nothing was written over it.
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(bytes))
        }
    }

    @Test func anotherSQLiteDatabaseIsNotAHistory() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/other.sqlite"
            try DatabaseQueue(path: path).write { db in try db.execute(sql: "CREATE TABLE people (name TEXT)") }
            for readOnly in [false, true] {
                let error = expectHistoryError(.notAHistory) { _ = try HistoryStore(path: path, readOnly: readOnly) }
                #expect(error?.description.hasPrefix("\(path) is not a feed history database") == true)
            }
            let newer = folder + "/newer.sqlite"
            try DatabaseQueue(path: newer).write { db in try db.execute(sql: "PRAGMA user_version = 9") }
            let error = expectHistoryError(.notAHistory) { _ = try HistoryStore(path: newer) }
            #expect(error?.description == "\(newer) has history schema version 9; this program reads versions 1-2: use a newer feed-server or feed-client")
        }
    }

    @Test func folderUnderARegularFileIsAClearError() throws {
        try withTemporaryFolder { folder in
            let file = folder + "/x-file"
            try Data("not a folder".utf8).write(to: URL(fileURLWithPath: file))
            let error = expectHistoryError(.cannotOpen) { _ = try HistoryStore(path: file + "/sub/feed.sqlite") }
            #expect(error?.description == "cannot create history folder \(file)/sub: \(file) is a file, not a folder")
            expectHistoryError(.cannotOpen) { _ = try HistoryStore(path: file + "/feed.sqlite") }
        }
    }

    @Test func aFolderIsNotADatabase() throws {
        try withTemporaryFolder { folder in
            for readOnly in [false, true] {
                let error = expectHistoryError(.cannotOpen) { _ = try HistoryStore(path: folder, readOnly: readOnly) }
                #expect(error?.description == "cannot open history database \(folder): it is a folder")
            }
        }
    }

    @Test func emptyPathIsRejected() {
        for readOnly in [false, true] {
            let error = expectHistoryError(.cannotOpen) { _ = try HistoryStore(path: "", readOnly: readOnly) }
            #expect(error?.description == "no history database path given")
        }
    }

    @Test func damagedPayloadIsReportedNotTrusted() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/feed.sqlite"
            let feed = SyntheticFeed(messagesPerSession: 40)
            let store = try HistoryStore(path: path)
            try feed.record(into: store)
            try store.pool.write { db in
                try db.execute(sql: "UPDATE blocks SET payload = substr(payload, 1, length(payload) - 5) WHERE block_id = 2")
            }
            for query in [HistoryQuery(), HistoryQuery(prefix: try TopicPrefix("NASDAQ."))] {
                let error = expectHistoryError(.damaged) { _ = try store.queryAll(query) }
                #expect(error?.description.hasPrefix("history \(path) is damaged: block 2 is corrupt (") == true, "\(String(describing: error))")
                // Paged, the block is skipped and named; the rest is served.
                let page = try store.query(query, after: nil, maxMessages: 10_000)
                #expect(page.skipped.map(\.blockID) == [2])
                #expect(try page.messages.decoded().allSatisfy { message in !(try feed.blocks[1].decoded().contains(message)) })
            }
        }
    }

    @Test func readOnlyNeedsAnExistingFile() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/missing/feed.sqlite"
            let error = expectHistoryError(.cannotOpen) { _ = try HistoryStore(path: path, readOnly: true) }
            #expect(error?.description == "no history database at \(path)")
            #expect(!FileManager.default.fileExists(atPath: folder + "/missing"))
        }
    }

    @Test func readOnlyOpensAHistoryNoWriterHasOpen() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/feed.sqlite"
            let feed = SyntheticFeed(messagesPerSession: 30)
            do {
                let writer = try HistoryStore(path: path)
                try feed.record(into: writer)
            }
            let reader = try HistoryStore(path: path, readOnly: true)
            #expect(try reader.queryAll(HistoryQuery()) == feed.expected { _ in true })
        }
    }

    @Test func readOnlyStoreReadsButNeverWrites() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/feed.sqlite"
            let feed = SyntheticFeed(messagesPerSession: 50)
            let writer = try HistoryStore(path: path)
            try feed.record(into: writer)
            try writer.registerSession(1, startedAt: Timestamp(nanoseconds: 5))
            let reader = try HistoryStore(path: path, readOnly: true)
            #expect(try reader.messageCount() == feed.messages.count)
            #expect(try reader.lastSession() == 105)
            expectHistoryError(.storage) { try reader.append(feed.blocks) }
            expectHistoryError(.storage) { try reader.registerSession(200, startedAt: Timestamp(nanoseconds: 1)) }
            #expect(try reader.messageCount() == feed.messages.count)
            // The reader sees what the writer adds later.
            try writer.append([feed.blocks[0]])
            #expect(try reader.messageCount() == feed.messages.count + feed.blocks[0].count)
        }
    }

    @Test func sessions() throws {
        try withTemporaryFolder { folder in
            let store = try HistoryStore(path: folder + "/feed.sqlite")
            #expect(try store.lastSession() == nil)
            try store.registerSession(5, startedAt: Timestamp(nanoseconds: 1_000))
            #expect(try store.lastSession() == 5)
            try store.registerSession(3, startedAt: Timestamp(nanoseconds: 2_000))
            #expect(try store.lastSession() == 5)
            // Registering again keeps the first start time.
            try store.registerSession(5, startedAt: Timestamp(nanoseconds: 9_000))
            let started = try store.pool.read { db in
                try Int64.fetchOne(db, sql: "SELECT started_ns FROM sessions WHERE session_id = 5")
            }
            #expect(started == 1_000)
            // Blocks of a session never registered count too.
            var block = MessageBlock()
            block.append(
                FeedMessage(
                    topic: try Topic("NYSE.IBM"), session: 7, feedSequence: 1, topicSequence: 1, eventTime: 1, publishTime: 2,
                    payload: .trade(Trade(price: Price(mantissa: 1), size: 1, aggressor: .sell))))
            try store.append([block])
            #expect(try store.lastSession() == 7)
            try store.registerSession(UInt32.max, startedAt: Timestamp(nanoseconds: 3_000))
            #expect(try store.lastSession() == UInt32.max)
        }
    }

    @Test func blockRowAndDictionaryDescribeTheBlock() throws {
        try withTemporaryFolder { folder in
            let store = try HistoryStore(path: folder + "/feed.sqlite")
            var block = MessageBlock()
            let rows: [(String, UInt64, UInt64, Int64)] = [
                ("NYSE.IBM", 10, 4, 500), ("LSE.VOD", 11, 9, 490), ("NYSE.IBM", 12, 5, 520), ("NYSE.IBM", 13, 6, 510),
            ]
            for (topic, feedSequence, topicSequence, time) in rows {
                block.append(
                    FeedMessage(
                        topic: try Topic(topic), session: 3, feedSequence: feedSequence, topicSequence: topicSequence,
                        eventTime: 1, publishTime: time, payload: .trade(Trade(price: Price(mantissa: 1), size: 1, aggressor: .buy))))
            }
            try store.append([block])
            try store.pool.read { db in
                let row = try #require(try Row.fetchOne(db, sql: "SELECT * FROM blocks"))
                func int(_ row: Row, _ column: String) -> Int64 { row[column] }
                #expect(int(row, "session_id") == 3)
                #expect(int(row, "first_feed_seq") == 10 && int(row, "last_feed_seq") == 13)
                #expect(int(row, "first_time_ns") == 490 && int(row, "last_time_ns") == 520)
                #expect(int(row, "message_count") == 4)
                #expect((row["payload"] as Data) == Data(block.bytes))
                // Topic ids in order of first appearance.
                let topics = try Row.fetchAll(db, sql: "SELECT topic_id, topic FROM topics ORDER BY topic_id")
                #expect(topics.map { $0["topic"] as String } == ["NYSE.IBM", "LSE.VOD"])
                #expect(topics.map { $0["topic_id"] as Int64 } == [1, 2])
                // One block is a tail, not a segment yet.
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM segments") == 0)
            }
        }
    }

    /// The time watermarks stay exact when the publish clock steps back, within a batch or across
    /// appends, and time queries still find every message.
    @Test func timeWatermarksSurviveClockStepsBack() throws {
        try withTemporaryFolder { folder in
            let store = try HistoryStore(path: folder + "/feed.sqlite")
            // Publish times per block; appended in the batches given.
            let batches: [[[Int64]]] = [
                [[100, 200], [300, 400]], [[150, 160]], [[50, 900]], [[500, 600], [120, 130], [700]], [[800, 650]],
            ]
            var recorded: [FeedMessage] = []
            var feedSequence: UInt64 = 0
            for batch in batches {
                var blocks: [MessageBlock] = []
                for times in batch {
                    var block = MessageBlock()
                    for time in times {
                        feedSequence += 1
                        let message = FeedMessage(
                            topic: try Topic(feedSequence.isMultiple(of: 2) ? "NYSE.IBM" : "LSE.VOD"), session: 1,
                            feedSequence: feedSequence, topicSequence: feedSequence, eventTime: time, publishTime: time,
                            payload: .trade(Trade(price: Price(mantissa: 1), size: 1, aggressor: .buy)))
                        block.append(message)
                        recorded.append(message)
                    }
                    blocks.append(block)
                }
                try store.append(blocks)
            }
            let blockTimes = batches.flatMap { $0 }
            let rows = try store.pool.read { db in
                try Row.fetchAll(db, sql: "SELECT time_high_ns, time_low_ns FROM blocks ORDER BY block_id")
            }
            #expect(rows.map { $0["time_high_ns"] as Int64 } == blockTimes.indices.map { blockTimes[...$0].flatMap { $0 }.max()! })
            #expect(rows.map { $0["time_low_ns"] as Int64 } == blockTimes.indices.map { blockTimes[$0...].flatMap { $0 }.min()! })
            let bounds: [Int64?] = [nil, 49, 50, 51, 100, 125, 150, 155, 161, 200, 450, 600, 650, 700, 750, 800, 801, 900, 901]
            for since in bounds {
                for until in bounds {
                    if let since, let until, since >= until { continue }
                    let query = HistoryQuery(
                        since: since.map(Timestamp.init(nanoseconds:)), until: until.map(Timestamp.init(nanoseconds:)))
                    let expected = recorded.filter { message in
                        (since.map { message.publishTime >= $0 } ?? true) && (until.map { message.publishTime < $0 } ?? true)
                    }
                    #expect(try store.queryAll(query).decoded() == expected, "since \(String(describing: since)) until \(String(describing: until))")
                }
                if let at = since {
                    let snapshot = try store.snapshot(prefix: .all, at: Timestamp(nanoseconds: at))
                    var latest: [Topic: FeedMessage] = [:]
                    for message in recorded where message.publishTime <= at { latest[message.topic] = message }
                    // Topics in the order the history first saw them.
                    let order = [try Topic("LSE.VOD"), try Topic("NYSE.IBM")]
                    #expect(try snapshot.decoded() == order.compactMap { latest[$0] }, "snapshot at \(at)")
                }
            }
        }
    }

    @Test func malformedBlocksAreRejectedAndNothingIsWritten() throws {
        try withTemporaryFolder { folder in
            let store = try HistoryStore(path: folder + "/feed.sqlite")
            let feed = SyntheticFeed(messagesPerSession: 100)
            try store.append([feed.blocks[0]])
            let before = try store.queryAll(HistoryQuery())
            let good = Array(feed.blocks[1...3])
            let sample = feed.blocks[4]

            var mixed = MessageBlock()
            for recorded in feed.messages.prefix(2) { mixed.append(recorded.message) }
            var other = feed.messages[2].message
            other.session += 1
            mixed.append(other)

            var badTopic = MessageBlock()
            badTopic.append(topic: Array("nyse.ibm".utf8), body: feed.messages[0].body)

            var shortBody = MessageBlock()
            shortBody.append(topic: Array("NYSE.IBM".utf8), body: Array(feed.messages[0].body.dropLast()))

            let malformed: [(String, MessageBlock)] = [
                ("truncated", MessageBlock(bytes: Array(sample.bytes.dropLast(3)), count: sample.count)),
                ("cut in a length", MessageBlock(bytes: Array(sample.bytes.prefix(1)), count: 1)),
                ("count too high", MessageBlock(bytes: sample.bytes, count: sample.count + 1)),
                ("count too low", MessageBlock(bytes: sample.bytes, count: sample.count - 1)),
                ("bytes without count", MessageBlock(bytes: sample.bytes, count: 0)),
                ("mixed sessions", mixed),
                ("bad topic", badTopic),
                ("short body", shortBody),
            ]
            for (name, block) in malformed {
                let error = expectHistoryError(.malformedBlock) { try store.append(good + [block] + good) }
                #expect(error?.description.hasPrefix("malformed block 3") == true, "\(name): \(String(describing: error))")
                #expect(try store.queryAll(HistoryQuery()) == before, "\(name)")
                #expect(try store.messageCount() == before.count, "\(name)")
                let topicRows = try store.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM topics") }
                #expect(topicRows == Set(try feed.blocks[0].decoded().map(\.topic)).count, "\(name)")
            }
            // Empty blocks are skipped, not stored.
            try store.append([MessageBlock(), MessageBlock()])
            #expect(try store.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM blocks") } == 1)
        }
    }

    @Test func schemaFileIsWhatTheCodeCreates() throws {
        let schemaURL = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("schemas/history.sql")
        let text = try String(contentsOf: schemaURL, encoding: .utf8)
        #expect(text == HistorySchema.sql)
        try withTemporaryFolder { folder in
            let store = try HistoryStore(path: folder + "/feed.sqlite")
            let fromFile = try DatabaseQueue(path: folder + "/from-file.sqlite")
            try fromFile.write { db in try db.execute(sql: text) }
            let dump = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
            let created = try store.pool.read { db in try Row.fetchAll(db, sql: dump) }
            let documented = try fromFile.read { db in try Row.fetchAll(db, sql: dump) }
            #expect(created == documented)
            #expect(Set(created.map { $0["name"] as String }).isSuperset(of: HistorySchema.versionTwoTables))
            #expect(try store.pool.read { try Int.fetchOne($0, sql: "PRAGMA user_version") } == 2)
            #expect(try store.pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
            #expect(try store.pool.read { try Int.fetchOne($0, sql: "PRAGMA synchronous") } == 1)
            #expect(try store.pool.read { try Int.fetchOne($0, sql: "PRAGMA page_size") } == 16_384)
        }
    }

    @Test func cursorTextForm() {
        #expect(HistoryCursor(blockID: 12, index: 3).description == "12:3")
        #expect(HistoryCursor("12:3") == HistoryCursor(blockID: 12, index: 3))
        #expect(HistoryCursor("0:0") == HistoryCursor(blockID: 0, index: 0))
        for bad in ["", "12", "12:", ":3", "a:3", "-1:2", "1:-2", "1:2:3", " 1:2", "+1:2", "99999999999999999999:1"] {
            #expect(HistoryCursor(bad) == nil, "\(bad)")
        }
    }

    @Test func storeIsUsableFromManyThreads() async throws {
        try await withTemporaryFolderAsync { folder in
            let store = try HistoryStore(path: folder + "/feed.sqlite")
            let feed = SyntheticFeed(messagesPerSession: 200)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { for block in feed.blocks { try store.append([block]) } }
                for _ in 0..<3 {
                    group.addTask {
                        var previous = 0
                        for _ in 0..<20 {
                            let count = try store.queryAll(HistoryQuery()).count
                            #expect(count >= previous)
                            previous = count
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try store.queryAll(HistoryQuery()) == feed.expected { _ in true })
        }
    }
}

/// ``withTemporaryFolder(_:)`` for async bodies.
func withTemporaryFolderAsync(_ body: (String) async throws -> Void) async throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("feed-history-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    try await body(folder.path)
}
