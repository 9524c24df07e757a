import Foundation
import Testing

@testable import FeedClientKit

/// `publish -` reads a pipe line by line as lines arrive; lines over 64 KiB are rejected in
/// their place, whatever their length.
struct LineReaderTests {
    /// What `LineReader` hands on, as text: a line, or `!` for a line rejected as too long.
    private static func read(_ descriptor: Int32, maximumLineLength: Int = LineReader.maximumLineLength) throws -> [String] {
        var read: [String] = []
        try LineReader(fileDescriptor: descriptor, maximumLineLength: maximumLineLength).forEachLine { line in
            switch line {
            case .success(let text): read.append(String(text))
            case .failure(let error):
                #expect(error == .tooLong(limit: maximumLineLength))
                read.append("!")
            }
        }
        return read
    }

    /// Reads `bytes` from a file (reads come in whole chunks, so lines straddle chunk ends).
    private static func read(file bytes: [UInt8], maximumLineLength: Int = LineReader.maximumLineLength) throws -> [String] {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("line-reader-\(UUID().uuidString)")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        return try read(handle.fileDescriptor, maximumLineLength: maximumLineLength)
    }

    @Test func linesWithAndWithoutAFinalNewlineAndCRLF() throws {
        let cases: [(String, [String])] = [
            ("a\n\nb\r\nc", ["a", "", "b", "c"]), ("a\n", ["a"]), ("", []), ("c\r", ["c"]), ("\r\n", [""]),
            ("x\ry\r\n", ["x\ry"]),
        ]
        for (text, lines) in cases {
            let pipe = Pipe()
            pipe.fileHandleForWriting.write(Data(text.utf8))
            try pipe.fileHandleForWriting.close()
            #expect(try Self.read(pipe.fileHandleForReading.fileDescriptor) == lines, "\(text.debugDescription)")
        }
    }

    @Test func aLineIsHandedOnWhenItsNewlineArrivesNotWhenTheBufferFills() throws {
        let pipe = Pipe()
        let firstLine = DispatchSemaphore(value: 0)
        let reader = Thread {
            try? LineReader(fileDescriptor: pipe.fileHandleForReading.fileDescriptor).forEachLine { line in
                if case .success("first") = line { firstLine.signal() }
            }
        }
        reader.start()
        pipe.fileHandleForWriting.write(Data("first\n".utf8))
        let arrived = firstLine.wait(timeout: .now() + 5) == .success
        try pipe.fileHandleForWriting.close()  // Ends the reader either way.
        #expect(arrived, "the first line was held back waiting for more input")
    }

    /// 65,536 bytes is the longest line; its CR LF ending does not count.
    @Test func linesAroundTheLimit() throws {
        let limit = LineReader.maximumLineLength
        func line(_ length: Int, _ ending: String = "\n") -> [UInt8] {
            Array(repeating: UInt8(ascii: "x"), count: length) + Array(ending.utf8)
        }
        let input = line(limit - 1) + line(limit) + line(limit + 1) + line(limit, "\r\n") + line(limit + 1, "\r\n")
            + Array("ok\n".utf8) + line(limit + 2, "")
        let lines = try Self.read(file: input)
        #expect(lines.map { $0 == "!" ? -1 : $0.utf8.count } == [limit - 1, limit, -1, limit, -1, 2, -1])
        // A last line without LF at the limit, with a CR, is a line.
        #expect(try Self.read(file: line(limit, "\r")).map(\.utf8.count) == [limit])
    }

    /// Lines of every length up to three chunks, with LF or CR LF, in files read a chunk at a
    /// time: the same lines as splitting the whole text, the long ones rejected in their place.
    @Test func randomLinesAcrossChunksMatchASplitOfTheWhole() throws {
        var generator = SystemRandomNumberGenerator()
        for limit in [100, LineReader.maximumLineLength] {
            for _ in 0..<5 {
                var input: [UInt8] = []
                var expected: [String] = []
                for number in 0..<Int.random(in: 20...60, using: &generator) {
                    let length = Bool.random(using: &generator) ? Int.random(in: 0...(limit + 2), using: &generator)
                        : Int.random(in: 0...(3 * LineReader.chunkSize), using: &generator)
                    let text = String(repeating: String(number % 10), count: length)
                    input += Array(text.utf8) + Array((Bool.random(using: &generator) ? "\r\n" : "\n").utf8)
                    expected.append(length > limit ? "!" : text)
                }
                #expect(try Self.read(file: input, maximumLineLength: limit) == expected)
            }
        }
    }
}
