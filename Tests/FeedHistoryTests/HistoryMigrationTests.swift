@testable import FeedHistory
import FeedModel
import GRDB
import Testing

/// Version-1 files: read as they are, refused for recording, upgraded by the migration with
/// every message kept.
struct HistoryMigrationTests {
    let feed = SyntheticFeed(messagesPerSession: 30_000)

    @Test func migratedFileAnswersEveryQueryAsItsSource() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/old.sqlite"
            try VersionOneFile.write(feed.blocks, to: path)
            let old = try HistoryStore(path: path, readOnly: true)
            #expect(old.schemaVersion == 1)
            #expect(old.versionNote?.contains("feed-server migrate --db \(path)") == true)
            let queries = [
                HistoryQuery(), HistoryQuery(prefix: try TopicPrefix("NASDAQ.AAPL")),
                HistoryQuery(prefixes: [try TopicPrefix("LSE."), try TopicPrefix("N.Z")], fromSequence: 100, session: 102),
            ]
            let before = try queries.map { try old.queryAll($0) }
            let snapshotBefore = try old.snapshot(prefix: .all, at: nil)
            #expect(before[0].count == feed.messages.count)

            var reported: [HistoryMigration.Progress] = []
            let outcome = try HistoryMigration.migrate(path: path) { reported.append($0) }
            #expect(outcome.migrated && outcome.messages == feed.messages.count)
            #expect(outcome.topics == SyntheticFeed.topicNames.count + 1)
            #expect(outcome.segments > 1)  // Small blocks: segments of 64 blocks, and a tail.
            #expect(reported.last.map { $0.messages == $0.totalMessages } == true)

            let migrated = try HistoryStore(path: path, readOnly: true)
            #expect(migrated.schemaVersion == 2 && migrated.versionNote == nil)
            for (query, expected) in zip(queries, before) {
                #expect(try migrated.queryAll(query) == expected, "\(query)")
                for strategy in [QueryRun.Strategy.index, .scan] {
                    let page = try migrated.query(query, after: nil, maxMessages: 1_000_000, strategy: strategy)
                    #expect(page.messages == expected, "\(query) \(strategy)")
                }
            }
            // The same messages, message by message; the snapshot too (topic order is now first-seen).
            #expect(try migrated.queryAll(HistoryQuery()).decoded() == feed.messages.map(\.message))
            #expect(Set(try migrated.snapshot(prefix: .all, at: nil).decoded()) == Set(try snapshotBefore.decoded()))
            #expect(try migrated.pool.read { try Int.fetchOne($0, sql: "PRAGMA user_version") } == 2)
            #expect(try migrated.pool.read { try $0.tableExists("block_topics") } == false)

            // A second run has nothing to do; recording then works.
            #expect(try HistoryMigration.migrate(path: path).migrated == false)
            let writer = try HistoryStore(path: path)
            try writer.append([feed.blocks[0]])
            #expect(try writer.messageCount() == feed.messages.count + feed.blocks[0].count)
        }
    }

    @Test func versionOneIsRefusedForRecordingWithTheCommandThatUpgradesIt() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/old.sqlite"
            try VersionOneFile.write(Array(feed.blocks.prefix(5)), to: path)
            let error = expectHistoryError(.needsMigration) { _ = try HistoryStore(path: path) }
            #expect(error?.description.contains("`feed-server migrate --db \(path)`") == true)
            // Refused, not changed.
            #expect(try HistoryStore(path: path, readOnly: true).schemaVersion == 1)
        }
    }

    @Test func aFailedCountCheckLeavesTheFileAsItWas() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/old.sqlite"
            try VersionOneFile.write(Array(feed.blocks.prefix(20)), to: path)
            // A block that claims one message more than it holds.
            try DatabaseQueue(path: path).write { db in
                try db.execute(sql: "UPDATE blocks SET message_count = message_count + 1 WHERE block_id = 3")
            }
            let error = expectHistoryError(.storage) { _ = try HistoryMigration.migrate(path: path) }
            #expect(error?.description.contains("nothing was changed") == true)
            let store = try HistoryStore(path: path, readOnly: true)
            #expect(store.schemaVersion == 1)
            #expect(try store.pool.read { try $0.tableExists("block_topics") && !(try $0.tableExists("topics")) })
        }
    }

    @Test func missingFileAndOtherDatabasesAreNamed() throws {
        try withTemporaryFolder { folder in
            expectHistoryError(.cannotOpen) { _ = try HistoryMigration.migrate(path: folder + "/none.sqlite") }
            let other = folder + "/other.sqlite"
            try DatabaseQueue(path: other).write { db in try db.execute(sql: "CREATE TABLE people (name TEXT)") }
            expectHistoryError(.notAHistory) { _ = try HistoryMigration.migrate(path: other) }
        }
    }
}
