import ArgumentParser
import Foundation
import ZeroMQ

/// `--curve-server-key FILE --curve-key NAME-or-FILE`: connect to a CURVE server, shared by
/// every feed-client command that connects and by the relay toward its upstreams.
public struct CurveClientOptions: ParsableArguments, Sendable {
    @Option(
        help: ArgumentHelp(
            "The server's public certificate (its NAME.key): turns CURVE on, with --curve-key.", valueName: "FILE"))
    public var curveServerKey: String?

    @Option(
        help: ArgumentHelp(
            "This client's secret certificate: a file, or NAME for NAME.key_secret in the current folder "
                + "(as feed-client keygen NAME writes it).", valueName: "NAME-or-FILE"))
    public var curveKey: String?

    public init() {}

    public func validate() throws { _ = try security() }

    /// The CURVE client settings, or `nil` without these options. A missing, malformed or
    /// loosely permitted key file is a usage error naming it.
    public func security() throws -> CurveSecurity? {
        switch (curveServerKey, curveKey) {
        case (nil, nil): return nil
        case (nil, _?): throw ValidationError("--curve-key needs --curve-server-key FILE (the server's public certificate)")
        case (_?, nil): throw ValidationError("--curve-server-key needs --curve-key NAME-or-FILE (this client's secret certificate)")
        case (let serverFile?, let keyArgument?):
            let server = try Self.load(serverFile, option: "--curve-server-key")
            let keyFile = Self.secretFile(for: keyArgument)
            let own = try Self.load(keyFile, option: "--curve-key")
            guard let secret = own.secretKey, let keys = CurveKeyPair(secretKey: secret) else {
                throw ValidationError("--curve-key \(keyFile): no secret key in it (give NAME.key_secret, not NAME.key)")
            }
            return .client(serverKey: server.publicKey, keys: keys)
        }
    }

    /// The file `--curve-key` names: the argument itself when it is a path or an existing file,
    /// else `NAME.key_secret`.
    static func secretFile(for argument: String) -> String {
        if argument.contains("/") || FileManager.default.fileExists(atPath: argument) { return argument }
        return argument + ".key_secret"
    }

    private static func load(_ path: String, option: String) throws -> CurveCertificate {
        do { return try CurveCertificate.load(from: path) } catch { throw ValidationError("\(option) \(error)") }
    }
}
