import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file descriptor line by line without loading it whole, handing each line on as soon
/// as its newline arrives: a pipe fed slowly (`tail -f quotes.csv | feed-client publish -`)
/// is published line by line, not in buffer-sized batches. The descriptor stays open.
///
/// Rules:
/// 1. A line ends at LF; a CR right before the LF, or at the end of a last line without LF,
///    belongs to the line ending. A last line without LF is a line.
/// 2. A line is at most ``maximumLineLength`` bytes (its ending not counted). A longer one is
///    handed on as ``InputError/tooLong(limit:)`` in its place, and its bytes are skipped up
///    to its LF.
/// 3. Each byte is looked at once, and at most ``maximumLineLength`` + 1 bytes of an unfinished
///    line are kept besides one read chunk, whatever the input: memory and time do not depend
///    on the length of a line.
public struct LineReader {
    /// The longest line, in bytes, without its ending: 64 KiB.
    public static let maximumLineLength = 65_536
    /// Bytes asked of `read` at a time.
    static let chunkSize = 1 << 16

    private let descriptor: Int32
    private let maximumLineLength: Int

    /// Reads `fileDescriptor`; lines longer than `maximumLineLength` bytes are rejected (rule 2).
    public init(fileDescriptor: Int32, maximumLineLength: Int = LineReader.maximumLineLength) {
        descriptor = fileDescriptor
        self.maximumLineLength = maximumLineLength
    }

    /// Calls `body` with each line, without its ending, or with ``InputError/tooLong(limit:)``
    /// for a line over the limit; a last line without LF is included.
    public func forEachLine(_ body: (Result<Substring, InputError>) throws -> Void) throws {
        var chunk = [UInt8](repeating: 0, count: Self.chunkSize)
        var assembler = LineAssembler(maximumLineLength: maximumLineLength)
        while true {
            let count: Int
            do {
                // swift-system retries a read that a signal interrupted.
                count = try chunk.withUnsafeMutableBytes { try FileDescriptor(rawValue: descriptor).read(into: $0) }
            } catch let error as Errno {
                throw LineReaderError(errno: error.rawValue)
            }
            if count == 0 { break }
            try chunk.withUnsafeBytes { bytes in
                var start = 0
                while start < count {
                    let rest = UnsafeRawBufferPointer(rebasing: bytes[start..<count])
                    guard let found = memchr(rest.baseAddress!, 0x0A, rest.count) else {
                        assembler.append(rest)
                        break
                    }
                    let length = rest.baseAddress!.distance(to: UnsafeRawPointer(found))
                    try body(assembler.finish(UnsafeRawBufferPointer(rebasing: rest[0..<length])))
                    start += length + 1
                }
            }
        }
        if let last = assembler.finishInput() { try body(last) }
    }
}

/// The unfinished line of a ``LineReader``: the bytes of the line so far, up to one byte over
/// the limit (room for a CR that may end it), or only the fact that it is too long.
private struct LineAssembler {
    let maximumLineLength: Int
    private var pending: [UInt8] = []
    private var tooLong = false

    init(maximumLineLength: Int) {
        self.maximumLineLength = maximumLineLength
    }

    /// Takes bytes of a line whose LF has not arrived yet.
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if tooLong { return }
        if pending.count + bytes.count > maximumLineLength + 1 {
            tooLong = true  // The rest of the line is skipped, not kept.
            pending.removeAll(keepingCapacity: true)
            return
        }
        // Sized once for the longest line, so that growing never allocates past it.
        if pending.isEmpty { pending.reserveCapacity(maximumLineLength + 1) }
        pending.append(contentsOf: bytes)
    }

    /// The line that ends with `bytes` (its LF excluded), and a fresh start for the next.
    mutating func finish(_ bytes: UnsafeRawBufferPointer) -> Result<Substring, InputError> {
        defer { reset() }
        if tooLong || pending.count + bytes.count > maximumLineLength + 1 { return .failure(.tooLong(limit: maximumLineLength)) }
        if pending.isEmpty { return line(bytes) }  // The whole line was in one chunk: no copy.
        pending.append(contentsOf: bytes)
        return pending.withUnsafeBytes { line($0) }
    }

    /// The last line, when the input ended without LF after it.
    mutating func finishInput() -> Result<Substring, InputError>? {
        guard tooLong || !pending.isEmpty else { return nil }
        return finish(UnsafeRawBufferPointer(start: nil, count: 0))
    }

    private func line(_ bytes: UnsafeRawBufferPointer) -> Result<Substring, InputError> {
        let length = bytes.last == 0x0D ? bytes.count - 1 : bytes.count
        guard length <= maximumLineLength else { return .failure(.tooLong(limit: maximumLineLength)) }
        return .success(Substring(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<length]), as: UTF8.self))
    }

    private mutating func reset() {
        pending.removeAll(keepingCapacity: true)
        tooLong = false
    }
}

/// Reading the input failed (not a bad line: the file itself).
public struct LineReaderError: Error, CustomStringConvertible, Sendable {
    public let errno: Int32

    public var description: String { "cannot read input: \(String(cString: strerror(errno)))" }
}
