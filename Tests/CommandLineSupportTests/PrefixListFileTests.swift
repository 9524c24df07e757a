import ArgumentParser
import CommandLineSupport
import Foundation
import Testing

@Suite struct PrefixListFileTests {
    @Test func readsOnePrefixPerLineSkippingBlanksCommentsAndRepeats() throws {
        let text = "# watchlist\nNASDAQ.AAPL\r\n\n  NYSE.  \nNASDAQ.AAPL\nARCA\n"
        let prefixes = try PrefixListFile.parse(Data(text.utf8), source: "w.txt", option: "--prefixes-from")
        #expect(prefixes.map(\.rawValue) == ["NASDAQ.AAPL", "NYSE.", "ARCA"])
    }

    @Test func namesTheLineOfABadPrefix() {
        let text = "NASDAQ.AAPL\n\nnasdaq.x\n"
        #expect {
            try PrefixListFile.parse(Data(text.utf8), source: "w.txt", option: "--prefixes-from")
        } throws: { error in
            "\(error)".hasPrefix("--prefixes-from w.txt line 3: ")
        }
    }

    @Test func aMissingFileOrAFolderIsAUsageError() throws {
        let folder = FileManager.default.temporaryDirectory.path
        #expect {
            try PrefixListFile.read(folder + "/no-such-watchlist-\(UUID())", option: "--prefixes-from")
        } throws: { error in
            error is ValidationError && "\(error)".contains("cannot read") && "\(error)".contains("No such file")
        }
        #expect {
            try PrefixListFile.read(folder, option: "--prefixes-from")
        } throws: { error in
            error is ValidationError && "\(error)".contains("is a folder")
        }
    }

    @Test func readsTenThousandPrefixesFromAFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("watchlist-\(UUID()).txt").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let expected = (0..<10_000).map { "NASDAQ.S\($0)" }
        try Data(expected.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path))
        #expect(try PrefixListFile.read(path, option: "--prefixes-from").map(\.rawValue) == expected)
    }
}
