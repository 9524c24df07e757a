import ArgumentParser
import Foundation

extension AsyncParsableCommand {
    /// Parses `arguments` and runs the chosen command. A usage error (bad option, bad value,
    /// failed `validate()`) is one line on stderr, `NAME: reason`, and exit status 64
    /// (EX_USAGE); help, versions and other exits behave as swift-argument-parser's own `main`.
    public static func mainWithOneLineUsageErrors(_ arguments: [String], name: String) async {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data("\(name): \(oneLine(message(for: error)))\n".utf8))
                Foundation.exit(ExitStatus.usage.rawValue)
            }
            exit(withError: error)
        }
    }

    /// swift-argument-parser lists six or more valid values one per line (`  - trace`); they are
    /// joined after the first line with commas so the reason stays one line.
    static func oneLine(_ message: String) -> String {
        let lines = message.split(separator: "\n")
        guard let first = lines.first, lines.count > 1 else { return message }
        let items = lines.dropFirst().map { $0.trimmingPrefix(while: { $0 == " " || $0 == "-" }) }
        return first + " " + items.joined(separator: ", ")
    }
}
