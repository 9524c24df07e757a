import FeedModel

/// What a CURVE client may ask the replay service: `status` needs the `replay` role; `history`
/// and `snapshot` need `replay` or `subscribe` (a subscriber repairs its gaps from history)
/// and answer only topics under the client's prefixes.
enum ReplayEntitlements {
    /// `request` narrowed to what `client` is entitled to: each requested prefix becomes its
    /// entitled part (``ClientEntitlements/entitledPart(of:)``, so the empty prefix gives every
    /// entitled prefix); a prefix with no entitled part is an error naming it.
    static func restrict(_ request: ReplayRequest, to client: ClientEntitlements) throws -> ReplayRequest {
        switch request.op {
        case .status:
            guard client.roles.contains(.replay) else { throw notEntitled(client, "status needs the replay role") }
            return request
        case .history, .snapshot:
            guard !client.roles.isDisjoint(with: [.replay, .subscribe]) else {
                throw notEntitled(client, "\(request.op.rawValue) needs the replay or subscribe role")
            }
            var entitled: [String] = []
            for prefix in try ReplayQuery.prefixes(of: request) {
                let part = client.entitledPart(of: prefix.rawValue)
                if part.isEmpty { throw notEntitled(client, "not entitled to prefix '\(prefix.rawValue)'") }
                entitled += part
            }
            var narrowed = request
            narrowed.prefix = nil
            narrowed.prefixes = TopicPrefix.covering(try entitled.map { try TopicPrefix($0) }).map(\.rawValue)
            return narrowed
        }
    }

    private static func notEntitled(_ client: ClientEntitlements, _ reason: String) -> ReplayRequestError {
        ReplayRequestError("\(reason) (client \(client.name))")
    }
}
