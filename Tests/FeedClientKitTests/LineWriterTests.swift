import Foundation
import Testing

@testable import FeedClientKit

/// Printed lines come out whole, in order, when flushed, from whichever thread flushes.
struct LineWriterTests {
    /// Whether `pipe` has bytes to read right now.
    static func hasOutput(_ pipe: Pipe) -> Bool {
        var item = pollfd(fd: pipe.fileHandleForReading.fileDescriptor, events: Int16(POLLIN), revents: 0)
        return poll(&item, 1, 0) == 1
    }

    @Test func linesWaitInTheBufferUntilAFlush() throws {
        let pipe = Pipe()
        let writer = LineWriter(output: pipe.fileHandleForWriting)
        writer.flush()
        writer.write("first")
        writer.flushIfOlder(thanMilliseconds: 60_000)
        #expect(!Self.hasOutput(pipe), "flushed although the last flush was just now")
        writer.write("second")
        writer.flushIfOlder(thanMilliseconds: 0)
        #expect(Self.hasOutput(pipe))
        try pipe.fileHandleForWriting.close()
        #expect(String(decoding: try pipe.fileHandleForReading.readToEnd() ?? Data(), as: UTF8.self) == "first\nsecond\n")
    }

    @Test func anotherThreadMayFlushWhileLinesAreWritten() async throws {
        let pipe = Pipe()
        let writer = LineWriter(output: pipe.fileHandleForWriting)
        let reader = Task.detached { try pipe.fileHandleForReading.readToEnd() ?? Data() }
        let flusher = Thread {
            while !Thread.current.isCancelled { writer.flush() }
        }
        flusher.start()
        let expected = (0..<20_000).map { index in "line \(index) " + String(repeating: "x", count: index % 50) }
        for line in expected { writer.write(line) }
        flusher.cancel()
        writer.flush()
        try pipe.fileHandleForWriting.close()
        let output = try await reader.value
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines == expected)
    }
}
