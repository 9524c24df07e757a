import Foundation
import Testing

@testable import FeedClientKit

/// `publish -` reads a pipe line by line as lines arrive.
struct LineReaderTests {
    @Test func linesWithAndWithoutAFinalNewline() throws {
        for (text, lines) in [("a\n\nb\r\nc", ["a", "", "b\r", "c"]), ("a\n", ["a"]), ("", [])] {
            let pipe = Pipe()
            pipe.fileHandleForWriting.write(Data(text.utf8))
            try pipe.fileHandleForWriting.close()
            var read: [String] = []
            try LineReader(fileDescriptor: pipe.fileHandleForReading.fileDescriptor).forEachLine { read.append(String($0)) }
            #expect(read == lines)
        }
    }

    @Test func aLineIsHandedOnWhenItsNewlineArrivesNotWhenTheBufferFills() throws {
        let pipe = Pipe()
        let firstLine = DispatchSemaphore(value: 0)
        let reader = Thread {
            try? LineReader(fileDescriptor: pipe.fileHandleForReading.fileDescriptor).forEachLine { line in
                if line == "first" { firstLine.signal() }
            }
        }
        reader.start()
        pipe.fileHandleForWriting.write(Data("first\n".utf8))
        let arrived = firstLine.wait(timeout: .now() + 5) == .success
        try pipe.fileHandleForWriting.close()  // Ends the reader either way.
        #expect(arrived, "the first line was held back waiting for more input")
    }
}
