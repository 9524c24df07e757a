import Foundation
import ZeroMQ

/// CURVE keys for a benchmark, written with the client library's `CurveKeyPair` and
/// `CurveCertificate` in the files `feed-client keygen` writes: the server's pair, and one
/// client let in with every role for every topic, which the producer, the subscribers and
/// `feed-client status` all connect as.
struct BenchCurveKeys {
    let folder: URL

    /// Makes both key pairs in `folder` and a clients folder holding the client's public certificate.
    init(folder: URL) throws {
        self.folder = folder
        try FileManager.default.createDirectory(at: clients, withIntermediateDirectories: true)
        _ = try CurveCertificate(pair: try CurveKeyPair.generate())
            .write(named: "server", in: folder.path, writtenBy: "feed-bench")
        let client = CurveCertificate(
            pair: try CurveKeyPair.generate(), metadata: [("roles", "subscribe,publish,replay"), ("prefixes", "*")])
        let files = try client.write(named: "bench", in: folder.path, writtenBy: "feed-bench")
        try FileManager.default.copyItem(atPath: files.publicFile, toPath: clients.appendingPathComponent("bench.key").path)
    }

    private var clients: URL { folder.appendingPathComponent("clients") }
    private func path(_ file: String) -> String { folder.appendingPathComponent(file).path }

    /// feed-server's (and a relay's) options.
    var serverArguments: [String] { ["--curve-secret", path("server.key_secret"), "--clients", clients.path] }
    /// feed-client's and `feed-bench latency-sub`'s options.
    var clientArguments: [String] { ["--curve-server-key", path("server.key"), "--curve-key", path("bench.key_secret")] }
    /// The C programs' option (`pubsub_sub`, `feed_push`).
    var baselineArguments: [String] { ["-Z", "\(path("server.key")),\(path("bench.key_secret"))"] }

    /// The client side for a socket of this process.
    func clientSecurity() throws -> CurveSecurity {
        try Self.clientSecurity(serverKeyFile: path("server.key"), secretFile: path("bench.key_secret"))
    }

    /// The client side from a server's public certificate and a client's secret one.
    static func clientSecurity(serverKeyFile: String, secretFile: String) throws -> CurveSecurity {
        let server = try CurveCertificate.load(from: serverKeyFile)
        let mine = try CurveCertificate.load(from: secretFile)
        guard let secret = mine.secretKey, let keys = CurveKeyPair(secretKey: secret) else {
            throw BenchFailure("\(secretFile): no secret key")
        }
        return .client(serverKey: server.publicKey, keys: keys)
    }
}

extension CurveCertificate {
    /// A certificate holding both keys of `pair`.
    fileprivate init(pair: CurveKeyPair, metadata: [(name: String, value: String)] = []) {
        self.init(publicKey: pair.publicKey, secretKey: pair.secretKey, metadata: metadata)
    }
}
