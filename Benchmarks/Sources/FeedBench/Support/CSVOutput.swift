/// Reads what `feed-client ... --format csv` printed, by column name (the header row names the
/// columns), without making a `String` per line: a snapshot of a million topics is a million
/// lines.
enum CSVOutput {
    /// Calls `body` with the integer in column `name` of every data line; returns how many data
    /// lines there were. Fails on a missing column or a field that is not an integer.
    @discardableResult
    static func forEachInteger(in text: String, column name: String, _ body: (Int) throws -> Void) throws -> Int {
        var text = text
        return try text.withUTF8 { bytes in
            var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)[...]
            guard let header = lines.popFirst(),
                let column = header.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
                    .firstIndex(where: { $0.elementsEqual(name.utf8) })
            else { throw BenchFailure("CSV output has no column '\(name)'") }
            for line in lines {
                var field = 0
                var value = 0
                var digits = 0
                for byte in line {
                    if byte == UInt8(ascii: ",") {
                        field += 1
                        if field > column { break }
                    } else if field == column {
                        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                            throw BenchFailure("CSV column '\(name)' is not an integer: \(String(decoding: line, as: UTF8.self))")
                        }
                        value = value * 10 + Int(byte - UInt8(ascii: "0"))
                        digits += 1
                    }
                }
                guard digits > 0 else { throw BenchFailure("CSV line without '\(name)': \(String(decoding: line, as: UTF8.self))") }
                try body(value)
            }
            return lines.count
        }
    }
}
