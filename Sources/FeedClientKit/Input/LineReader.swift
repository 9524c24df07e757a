#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file descriptor line by line without loading it whole, handing each line on as soon
/// as its newline arrives: a pipe fed slowly (`tail -f quotes.csv | feed-client publish -`)
/// is published line by line, not in buffer-sized batches. The descriptor stays open.
public struct LineReader {
    private let descriptor: Int32

    public init(fileDescriptor: Int32) { descriptor = fileDescriptor }

    /// Calls `body` with each line, without its newline; a last line without one is included.
    public func forEachLine(_ body: (Substring) throws -> Void) throws {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw LineReaderError(errno: errno)
            }
            if count == 0 { break }
            pending.append(contentsOf: chunk[0..<count])
            var start = 0
            while let newline = pending[start...].firstIndex(of: 0x0A) {
                try body(Substring(decoding: pending[start..<newline], as: UTF8.self))
                start = newline + 1
            }
            pending.removeFirst(start)
        }
        if !pending.isEmpty { try body(Substring(decoding: pending, as: UTF8.self)) }
    }
}

/// Reading the input failed (not a bad line: the file itself).
public struct LineReaderError: Error, CustomStringConvertible, Sendable {
    public let errno: Int32

    public var description: String { "cannot read input: \(String(cString: strerror(errno)))" }
}
