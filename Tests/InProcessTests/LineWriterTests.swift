import Foundation
import Testing

@testable import FeedClientKit

/// Printed lines come out whole, in order, when flushed, from whichever thread flushes, and a
/// reader that stopped reading blocks no caller. (Among the in-process tests: its async waits
/// need the cooperative pool, which the suites of processes would hold; see scripts/test.sh.)
struct LineWriterTests {
    /// Whether `pipe` has bytes to read within `milliseconds`.
    static func hasOutput(_ pipe: Pipe, withinMilliseconds milliseconds: Int32) -> Bool {
        var item = pollfd(fd: pipe.fileHandleForReading.fileDescriptor, events: Int16(POLLIN), revents: 0)
        return poll(&item, 1, milliseconds) == 1
    }

    @Test func linesWaitInTheBufferUntilAFlush() throws {
        let pipe = Pipe()
        let writer = LineWriter(output: pipe.fileHandleForWriting)
        writer.flush()
        writer.write("first")
        writer.flushIfOlder(thanMilliseconds: 60_000)
        #expect(writer.output.totals.queued == 0, "handed over although the last flush was just now")
        writer.write("second")
        writer.flushIfOlder(thanMilliseconds: 0)
        #expect(Self.hasOutput(pipe, withinMilliseconds: 10_000))
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

    @Test(.timeLimit(.minutes(1)))
    func aReaderThatStoppedReadingBlocksNoCaller() async throws {
        let pipe = Pipe()  // Nobody reads it until the end: it holds 64 KiB, then writes to it block.
        let writer = LineWriter(output: pipe.fileHandleForWriting, backlogLimit: 256 << 10)
        let expected = (0..<100_000).map { "line \($0)" }  // About 1 MB.
        for line in expected { writer.write(line) }
        writer.flushIfOlder(thanMilliseconds: 0)
        #expect(await writer.flushed(waitingAtMost: .milliseconds(50)) == false)
        let waitingForRoom = Task { await writer.waitForRoom() }
        waitingForRoom.cancel()
        await waitingForRoom.value  // A cancelled wait ends although there is no room.
        let reader = Task.detached { try pipe.fileHandleForReading.readToEnd() ?? Data() }
        await writer.waitForRoom()
        await writer.flushed()
        try pipe.fileHandleForWriting.close()
        let lines = String(decoding: try await reader.value, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines == expected)
    }
}
