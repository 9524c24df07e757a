import CZeroMQ

/// A CURVE key pair in Z85 text (40 characters each), as libzmq's `ZMQ_CURVE_*KEY` options
/// and czmq's certificate files take them.
public struct CurveKeyPair: Sendable, Equatable {
    public let publicKey: String
    public let secretKey: String

    /// A new random key pair (`zmq_curve_keypair`).
    public static func generate() throws(ZMQError) -> CurveKeyPair {
        var publicText = [CChar](repeating: 0, count: 41)
        var secretText = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicText, &secretText) == 0 else { throw .last("generate a CURVE key pair") }
        return CurveKeyPair(
            publicKey: String(decoding: publicText.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self),
            secretKey: String(decoding: secretText.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// The pair of `secretKey`, its public key derived (`zmq_curve_public`); nil when
    /// `secretKey` is not a Z85 key.
    public init?(secretKey: String) {
        guard Self.isKey(secretKey) else { return nil }
        var publicText = [CChar](repeating: 0, count: 41)
        guard zmq_curve_public(&publicText, secretKey) == 0 else { return nil }
        self.init(
            publicKey: String(decoding: publicText.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self), secretKey: secretKey)
    }

    private init(publicKey: String, secretKey: String) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// Whether `text` is a CURVE key in Z85: 40 characters that decode to 32 bytes.
    public static func isKey(_ text: String) -> Bool {
        guard text.utf8.count == 40 else { return false }
        var decoded = [UInt8](repeating: 0, count: 32)
        return zmq_z85_decode(&decoded, text) != nil
    }
}
