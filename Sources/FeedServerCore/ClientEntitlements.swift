import FeedModel

/// What one client, known by its CURVE key, may do: its roles and the topic prefixes it may
/// publish and read. Read from the metadata of its public certificate in the clients folder
/// (see ``ClientAllowList``).
public struct ClientEntitlements: Sendable, Equatable {
    /// What a client may do at each endpoint.
    public enum Role: String, Sendable, CaseIterable {
        /// Receive the live feed.
        case subscribe
        /// Send messages to ingest.
        case publish
        /// Ask the replay service for history, snapshots and status.
        case replay
    }

    /// The client's name: its certificate's file name without `.key`, and its ZAP `User-Id`.
    public let name: String
    public let roles: Set<Role>
    /// The entitled prefixes as a covering set (none inside another), in byte order; `[""]`
    /// entitles to everything, none to nothing.
    public var prefixes: [String] { allowed.prefixes }
    private let allowed: AllowedPrefixes

    public init(name: String, roles: Set<Role>, prefixes: [TopicPrefix]) {
        self.name = name
        self.roles = roles
        allowed = AllowedPrefixes(prefixes)
    }

    /// Whether the client may see or publish `topic`.
    func allows(topic: UnsafeRawBufferPointer) -> Bool { allowed.covers(topic) }

    /// The part of `requested` the client is entitled to, as prefixes: `requested` itself when
    /// it lies within an entitled prefix (`NASDAQ.AAPL` under `NASDAQ.`), the entitled prefixes
    /// within it when it is broader (`""` gives every entitled prefix), none when they do not
    /// overlap (`NYSE.`).
    public func entitledPart(of requested: String) -> [String] {
        allowed.covers(requested) ? [requested] : Array(allowed.under(requested))
    }

    public static func == (left: ClientEntitlements, right: ClientEntitlements) -> Bool {
        left.name == right.name && left.roles == right.roles && left.prefixes == right.prefixes
    }
}
