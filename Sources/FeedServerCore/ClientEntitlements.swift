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
    /// Covering prefixes (none inside another); `[.all]` entitles to everything.
    public let prefixes: [TopicPrefix]

    public init(name: String, roles: Set<Role>, prefixes: [TopicPrefix]) {
        self.name = name
        self.roles = roles
        self.prefixes = TopicPrefix.covering(prefixes)
    }

    /// Whether the client may see or publish `topic`.
    public func allows(topic: UnsafeRawBufferPointer) -> Bool {
        prefixes.contains { $0.matches(topic) }
    }

    /// The part of `requested` the client is entitled to, as prefixes: `requested` itself when
    /// it lies within an entitled prefix (`NASDAQ.AAPL` under `NASDAQ.`), the entitled prefixes
    /// within it when it is broader (`""` gives every entitled prefix), none when they do not
    /// overlap (`NYSE.`).
    public func entitledPart(of requested: TopicPrefix) -> [TopicPrefix] {
        if prefixes.contains(where: { requested.rawValue.utf8.starts(with: $0.rawValue.utf8) }) { return [requested] }
        return prefixes.filter { $0.rawValue.utf8.starts(with: requested.rawValue.utf8) }
    }
}
