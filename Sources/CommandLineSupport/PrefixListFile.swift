import ArgumentParser
import FeedModel
import Foundation

/// Reads a watchlist of topic prefixes from a file or standard input, for options such as
/// `--prefixes-from FILE` (`-` is standard input).
///
/// Rules:
/// 1. One prefix per line; a trailing `\r` is dropped, as is whitespace around the prefix.
/// 2. Blank lines and lines starting with `#` are skipped.
/// 3. Every other line must be a valid ``FeedModel/TopicPrefix``; the first that is not is a
///    usage error naming the option, the file and the line: `--prefixes-from w.txt line 7: ...`.
/// 4. The same prefix twice is kept once, in the order first seen.
public enum PrefixListFile {
    /// The most prefixes one list may hold, so a runaway file is a usage error, not memory.
    public static let maximumCount = 1_000_000

    /// The prefixes listed in `path` (`-`: standard input), or a `ValidationError` (exit 64).
    public static func read(_ path: String, option: String) throws -> [TopicPrefix] {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
                throw ValidationError("\(option): \(path) is a folder, not a file of prefixes")
            }
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw ValidationError("\(option): cannot read \(path): \(String(cString: strerror(errno)))")
            }
            data = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true).readDataToEndOfFile()
        }
        return try parse(data, source: path == "-" ? "stdin" : path, option: option)
    }

    /// The prefixes listed in `data`, named `source` in errors.
    public static func parse(_ data: Data, source: String, option: String) throws -> [TopicPrefix] {
        var prefixes: [TopicPrefix] = []
        var seen = Set<String>()
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty || text.hasPrefix("#") { continue }
            let prefix: TopicPrefix
            do { prefix = try TopicPrefix(text) } catch {
                throw ValidationError("\(option) \(source) line \(lineNumber): \(error)")
            }
            guard seen.insert(prefix.rawValue).inserted else { continue }
            guard prefixes.count < maximumCount else {
                throw ValidationError("\(option) \(source): more than \(maximumCount) prefixes")
            }
            prefixes.append(prefix)
        }
        return prefixes
    }
}
