import CZeroMQ

/// One request of ZeroMQ's authentication protocol (ZAP, RFC 27), which libzmq sends to the
/// handler bound at ``endpoint`` of the same context for every handshake on a socket with a
/// security mechanism, and the reply that admits or refuses the peer.
///
/// Read from a REP socket (which strips the envelope): version, request id, domain, address,
/// routing id, mechanism, then the mechanism's credentials (CURVE: the client's 32-byte
/// public key).
public struct ZAPRequest: Sendable, Equatable {
    /// Where libzmq looks for the handler: `inproc://` in the context of the secured socket.
    public static let endpoint = "inproc://zeromq.zap.01"

    public let requestID: [UInt8]
    public let domain: String
    /// The peer's IP address as libzmq saw it (empty for IPC).
    public let address: String
    public let mechanism: String
    /// The client's CURVE public key in Z85, for the CURVE mechanism.
    public let curvePublicKey: String?

    /// Reads a request; `nil` when the frames are not ZAP 1.0.
    public init?(frames: [[UInt8]]) {
        guard frames.count >= 6, frames[0] == Array("1.0".utf8) else { return nil }
        requestID = frames[1]
        domain = String(decoding: frames[2], as: UTF8.self)
        address = String(decoding: frames[3], as: UTF8.self)
        mechanism = String(decoding: frames[5], as: UTF8.self)
        if mechanism == "CURVE", frames.count == 7, frames[6].count == 32 {
            var text = [CChar](repeating: 0, count: 41)
            curvePublicKey =
                zmq_z85_encode(&text, frames[6], 32) == nil
                ? nil : String(decoding: text.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        } else {
            curvePublicKey = nil
        }
    }

    /// The reply admitting the peer as `userID` (status 200): libzmq attaches `userID` to every
    /// message from that connection (``ZMQMultipartMessage/userID(of:)``).
    public func admit(as userID: String) -> [[UInt8]] {
        [Array("1.0".utf8), requestID, Array("200".utf8), Array("OK".utf8), Array(userID.utf8), []]
    }

    /// The reply refusing the peer (status 400): libzmq closes the connection, and the client's
    /// socket monitor reports ``ZMQMonitor/Event/Kind/handshakeFailedAuth`` with 400.
    public func refuse(_ reason: String) -> [[UInt8]] {
        [Array("1.0".utf8), requestID, Array("400".utf8), Array(reason.utf8), [], []]
    }
}
