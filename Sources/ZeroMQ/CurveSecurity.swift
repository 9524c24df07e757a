/// The CURVE side a socket takes (ZeroMQ's encryption and authentication, `zmq_curve(7)`).
///
/// Set on a socket before it binds or connects. `inproc://` connections never use it: they
/// have no handshake, so a server's in-process endpoints stay plain.
public enum CurveSecurity: Sendable, Equatable {
    /// Accepts CURVE clients with this secret key; a ZAP handler on the same context
    /// (``ZAPRequest``) decides which client keys are let in.
    case server(secretKey: String)
    /// Connects as `keys` to a server whose public key is `serverKey`.
    case client(serverKey: String, keys: CurveKeyPair)
}

extension ZMQSocket {
    /// Makes this socket a CURVE server or client; before any bind or connect.
    public func secure(_ security: CurveSecurity) throws {
        switch security {
        case .server(let secretKey):
            try set(.curveServer, 1)
            try set(.curveSecretKey, Array(secretKey.utf8))
        case .client(let serverKey, let keys):
            try set(.curveServerKey, Array(serverKey.utf8))
            try set(.curvePublicKey, Array(keys.publicKey.utf8))
            try set(.curveSecretKey, Array(keys.secretKey.utf8))
        }
    }
}
