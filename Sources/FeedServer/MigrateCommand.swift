import ArgumentParser
import CommandLineSupport
import FeedHistory
import Foundation

/// `feed-server migrate`: upgrades a history file to the current schema version in place,
/// keeping every message, with progress on stderr and a count check before it commits.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Upgrade a history file to the current schema version (2), keeping every message.",
        discussion: """
            Version 1 files (written before the topic index) are read by feed-client as they are, \
            but feed-server records only into version 2. This builds the topic dictionary and the \
            segment index from the stored blocks in one transaction: interrupted, the file stays \
            version 1 and unchanged. Message counts are checked before committing. Stop any \
            server using the file first. Progress goes to stderr.

            The old per-block topic rows are dropped; SQLite reuses their pages for new blocks. \
            --vacuum gives them back to the file system at once (it rewrites the file and needs \
            free disk space about its size).

            Exit status: 0 migrated or already current, 64 bad arguments, 65 not a history file, \
            66 no such file, 74 the file could not be read or written.
            """)

    @Option(help: "The history file to upgrade.")
    var db: String

    @Flag(help: "Compact the file after migrating (VACUUM).")
    var vacuum = false

    func validate() throws {
        if db.isEmpty { throw ValidationError("--db must not be empty") }
    }

    func run() throws {
        let started = ContinuousClock.now
        var lastReport = started
        let outcome: HistoryMigration.Outcome
        do {
            outcome = try HistoryMigration.migrate(path: db, vacuum: vacuum) { progress in
                let now = ContinuousClock.now
                guard now - lastReport >= .seconds(1) || progress.messages == progress.totalMessages else { return }
                lastReport = now
                let percent = progress.totalMessages == 0 ? 100 : progress.messages * 100 / progress.totalMessages
                ServerLogging.writeLine("migrate: \(progress.messages) of \(progress.totalMessages) messages indexed (\(percent)%)")
            }
        } catch {
            ServerLogging.writeLine("feed-server migrate: \(error)")
            switch error.kind {
            case .cannotOpen: throw ExitStatus.noInput.exitCode
            case .notAHistory: throw ExitStatus.dataError.exitCode
            default: throw ExitStatus.ioError.exitCode
            }
        }
        guard outcome.migrated else {
            ServerLogging.writeLine("\(db) is already history schema version 2: nothing to do")
            return
        }
        let elapsed = (ContinuousClock.now - started).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        ServerLogging.writeLine(
            "migrated \(db) to history schema version 2 in \(String(format: "%.2f", seconds)) s: \(outcome.messages) messages "
                + "in \(outcome.blocks) blocks, \(outcome.topics) topics, \(outcome.segments) segments; counts checked"
                + (vacuum ? "; file compacted" : ""))
    }
}
