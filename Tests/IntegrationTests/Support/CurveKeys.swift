import ChildProcesses
import Foundation
import Testing

/// Real CURVE keys for a test, made with `feed-client keygen`: the server's pair, and clients
/// whose public certificates go into the server's clients folder (or not, for a stranger).
final class CurveKeys {
    let folder: TemporaryFolder
    /// The folder given to `--clients`.
    let clientsFolder: String

    init() throws {
        folder = try TemporaryFolder()
        clientsFolder = folder.path("clients")
        try FileManager.default.createDirectory(atPath: clientsFolder, withIntermediateDirectories: true)
        try Self.keygen("server", in: folder.url.path, metadata: [])
    }

    /// Makes `name`'s key pair with these roles and prefixes; `allowed` puts its public
    /// certificate into the clients folder.
    @discardableResult
    func client(_ name: String, roles: String, prefixes: String, allowed: Bool = true) throws -> [String] {
        try Self.keygen(name, in: folder.url.path, metadata: ["roles=\(roles)", "prefixes=\(prefixes)"])
        if allowed { try FileManager.default.copyItem(atPath: folder.path("\(name).key"), toPath: "\(clientsFolder)/\(name).key") }
        return arguments(for: name)
    }

    /// The server's options.
    var serverArguments: [String] { ["--curve-secret", folder.path("server.key_secret"), "--clients", clientsFolder] }

    /// A client's options.
    func arguments(for name: String) -> [String] {
        ["--curve-server-key", folder.path("server.key"), "--curve-key", folder.path("\(name).key_secret")]
    }

    /// The Z85 public key in `name.key`.
    func publicKey(_ name: String) throws -> String {
        let text = try String(contentsOfFile: folder.path("\(name).key"), encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.contains("public-key") })
        return String(line.split(separator: "\"")[1])
    }

    private static func keygen(_ name: String, in directory: String, metadata: [String]) throws {
        let keygen = try ChildProcess(
            Binaries.client, ["keygen", name, "--directory", directory] + metadata.flatMap { ["--metadata", $0] })
        guard try keygen.waitForExit() == 0 else { throw keygen.failure("keygen \(name) failed") }
    }
}
