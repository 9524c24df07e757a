/// A client-side failure with a one-line reason for the user.
public struct ClientError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure, so a CLI can pick its exit code.
    public enum Kind: Sendable {
        /// The server or endpoint cannot be reached or did not answer.
        case unavailable
        /// The server answered with an error.
        case rejected
        /// Input data is malformed.
        case badData
    }

    public let kind: Kind
    public let description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
