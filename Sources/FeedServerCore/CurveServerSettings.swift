import ZeroMQ

/// CURVE for a server's (or relay's) tcp and ipc endpoints: its secret key, and the clients it
/// lets in with what each may do. `inproc://` endpoints stay plain (no handshake): whatever
/// connects through them is part of the same process and is trusted.
public struct CurveServerSettings: Sendable {
    public var secretKey: String
    public var clients: ClientAllowList

    public init(secretKey: String, clients: ClientAllowList) {
        self.secretKey = secretKey
        self.clients = clients
    }
}

extension ClientAllowList {
    /// What the sender of frame `index` of `message` may do: `nil` when it came over a
    /// connection without a ZAP `User-Id` (`inproc://`, part of this process, trusted); a client
    /// with no roles and no prefixes when its name is no longer let in.
    func entitlements(ofSenderOf message: ZMQMultipartMessage, frame index: Int) -> ClientEntitlements? {
        guard let name = message.userID(of: index) else { return nil }
        return client(named: name) ?? ClientEntitlements(name: name, roles: [], prefixes: [])
    }
}
