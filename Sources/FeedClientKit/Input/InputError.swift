/// Why one input line of `feed-client publish` was rejected.
public enum InputError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case missingField(String)
    case badField(String, String)
    case unknownField(String)
    /// The line is longer than `limit` bytes (``LineReader/maximumLineLength``): it was not read.
    case tooLong(limit: Int)
    /// The CSV header row cannot be used: no line after it can be read.
    case badHeader(String)

    /// Whether reading has to stop here: nothing after this line can be parsed.
    public var isFatal: Bool {
        if case .badHeader = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .malformed(let reason): reason
        case .missingField(let field): "missing field '\(field)'"
        case .badField(let field, let reason): "field '\(field)': \(reason)"
        case .unknownField(let field): "unknown field '\(field)'"
        case .badHeader(let reason): "CSV header: \(reason)"
        case .tooLong(let limit): "too long: more than \(limit) bytes"
        }
    }
}
