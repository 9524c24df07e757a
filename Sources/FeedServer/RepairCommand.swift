import ArgumentParser
import CommandLineSupport
import FeedHistory
import Foundation

/// `feed-server repair`: salvages every readable block of a damaged history into a new file.
struct RepairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Salvage every readable block of a damaged history into a new file.",
        discussion: """
            For a history the server refused at start as damaged. Every block that still reads back \
            whole is copied, in order, into --output, a new history (schema version 2) whose topic \
            dictionary and segment index are built anew; the damaged file is not changed. Prints how \
            many blocks and messages were salvaged and lost. Then start the server with --db OUTPUT. \
            Progress goes to stderr.

            Exit status: 0 repaired (losses, if any, are in the report), 64 bad arguments, 65 not a \
            history file, 66 no such file, 73 --output exists, 74 a file could not be read or written.
            """)

    @Option(help: "The damaged history file (read only).")
    var db: String

    @Option(help: "The new history file to write; must not exist.")
    var output: String

    func validate() throws {
        if db.isEmpty { throw ValidationError("--db must not be empty") }
        if output.isEmpty { throw ValidationError("--output must not be empty") }
        if output == db { throw ValidationError("--output must be a new file, not --db") }
    }

    func run() throws {
        var lastReport = ContinuousClock.now
        let outcome: HistoryRepair.Outcome
        do {
            outcome = try HistoryRepair.salvage(from: db, to: output) { done, total in
                let now = ContinuousClock.now
                guard now - lastReport >= .seconds(1) || done == total else { return }
                lastReport = now
                ServerLogging.writeLine("repair: \(done) of \(total) blocks looked at")
            }
        } catch {
            ServerLogging.writeLine("feed-server repair: \(error)")
            switch error.kind {
            case .cannotOpen where FileManager.default.fileExists(atPath: output): throw ExitStatus.cannotCreate.exitCode
            case .cannotOpen: throw ExitStatus.noInput.exitCode
            case .notAHistory: throw ExitStatus.dataError.exitCode
            default: throw ExitStatus.ioError.exitCode
            }
        }
        for example in outcome.lostExamples { ServerLogging.writeLine("lost: \(example)") }
        let unknown = outcome.blocksOfUnknownSize > 0 ? " (and \(outcome.blocksOfUnknownSize) of them of unknown size)" : ""
        ServerLogging.writeLine(
            "repaired \(db) into \(output): salvaged \(outcome.blocksSalvaged) blocks, \(outcome.messagesSalvaged) messages; "
                + "lost \(outcome.blocksLost) blocks, \(outcome.messagesLost) messages\(unknown)")
    }
}
