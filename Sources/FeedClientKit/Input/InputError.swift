/// Why one input line of `feed-client publish` was rejected.
public enum InputError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case missingField(String)
    case badField(String, String)
    case unknownField(String)

    public var description: String {
        switch self {
        case .malformed(let reason): reason
        case .missingField(let field): "missing field '\(field)'"
        case .badField(let field, let reason): "field '\(field)': \(reason)"
        case .unknownField(let field): "unknown field '\(field)'"
        }
    }
}
