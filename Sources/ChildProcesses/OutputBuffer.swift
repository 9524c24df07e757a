import Foundation

/// One output stream of a child as it arrives: its bytes, the number of lines ended so far and,
/// when asked for, those lines as text (for waits on a line). Not locked: its owner locks.
struct OutputBuffer {
    private(set) var data = Data()
    /// The ended lines without their newlines, plus the last unended one after ``finish()``;
    /// empty unless kept.
    private(set) var lines: [String] = []
    private(set) var endedLines = 0
    private let keepingLines: Bool
    /// Where the line not yet ended starts in `data`.
    private var lineStart = 0

    init(keepingLines: Bool) { self.keepingLines = keepingLines }

    var text: String { String(decoding: data, as: UTF8.self) }

    mutating func append(_ chunk: Data) {
        let searchStart = data.endIndex
        data.append(chunk)
        var position = searchStart
        while let newline = data[position...].firstIndex(of: 0x0A) {
            endedLines += 1
            if keepingLines { lines.append(String(decoding: data[lineStart..<newline], as: UTF8.self)) }
            lineStart = newline + 1
            position = lineStart
        }
    }

    /// The stream has ended: a last line without a newline counts as a line too.
    mutating func finish() {
        guard lineStart < data.endIndex else { return }
        if keepingLines { lines.append(String(decoding: data[lineStart...], as: UTF8.self)) }
        lineStart = data.endIndex
    }
}
