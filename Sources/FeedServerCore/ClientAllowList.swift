import FeedModel
import Foundation
import Synchronization
import ZeroMQ

/// The clients a CURVE server lets in: one public certificate per client in a folder
/// (`NAME.key`, as `feed-client keygen` writes it), whose metadata says what the client may do:
///
/// ```
/// metadata
///     roles = "subscribe,replay"
///     prefixes = "NASDAQ., NYSE.IBM"
/// ```
///
/// `roles` lists any of `subscribe`, `publish`, `replay`; `prefixes` lists topic prefixes
/// separated by commas, or `*` for every topic. A file that cannot be used (not a certificate,
/// a secret key in it, an unknown role, a key another file already has) is left out and named in
/// ``problems``; the others still load. Shared by the ZAP handler and the threads that enforce
/// entitlements; thread-safe.
public final class ClientAllowList: Sendable {
    private struct Clients: Sendable {
        var byKey: [String: ClientEntitlements] = [:]
        var byName: [String: ClientEntitlements] = [:]
        var keyOf: [String: String] = [:]
        var problems: [String] = []
    }

    /// The folder read.
    public let folder: String
    private let clients: Mutex<Clients>
    /// How many times the folder was reloaded: a publishing thread that sees it change looks
    /// at its subscribers' entitlements again.
    private let reloads = Atomic<UInt64>(0)
    /// For each client name whose key a reload replaced, the generation that reload began.
    private let keysReplaced = Mutex<[String: UInt64]>([:])
    /// One more than the generation the last reload that revoked a key (removed a client or
    /// replaced its key) began; 0 before any.
    private let lastRevokingReload = Atomic<UInt64>(0)
    public var generation: UInt64 { reloads.load(ordering: .acquiring) }
    /// Why each left-out file was left out at the last (re)load, one line each, naming the file.
    public var problems: [String] { clients.withLock { $0.problems } }

    /// Reads every `*.key` file of `folder`; throws only when the folder itself cannot be read.
    public init(folder: String) throws(CertificateFileError) {
        self.folder = folder
        clients = Mutex(try Self.read(folder))
    }

    /// What a reload changed, by client name.
    public struct Changes: Sendable, Equatable {
        public var added: [String] = []
        public var removed: [String] = []
        /// Same name, another key, roles or prefixes.
        public var changed: [String] = []
    }

    /// Reads the folder again and lets in what it holds now: a removed key is refused at its
    /// next handshake and, named by its `User-Id`, loses every role at once; a changed
    /// entitlement applies to the next message or request. When the folder cannot be read, the
    /// clients stay as they were and the error is thrown.
    public func reload() throws(CertificateFileError) -> Changes {
        let fresh = try Self.read(folder)
        let generation = self.generation
        let result = clients.withLock { current in
            var changes = Changes()
            var replacedAny = false
            for (name, client) in fresh.byName.sorted(by: { $0.key < $1.key }) {
                guard let old = current.byName[name] else {
                    changes.added.append(name)
                    continue
                }
                if current.keyOf[name] != fresh.keyOf[name] {
                    keysReplaced.withLock { $0[name] = generation }
                    replacedAny = true
                }
                if old != client || current.keyOf[name] != fresh.keyOf[name] { changes.changed.append(name) }
            }
            changes.removed = current.byName.keys.filter { fresh.byName[$0] == nil }.sorted()
            if !changes.removed.isEmpty || replacedAny { lastRevokingReload.store(generation + 1, ordering: .releasing) }
            current = fresh
            return changes
        }
        reloads.add(1, ordering: .releasing)
        return result
    }

    /// Whether a reload since `generation` replaced the key of client `name`: connections made
    /// with the old key are revoked too, though the name stays let in.
    public func keyReplaced(named name: String, since generation: UInt64) -> Bool {
        keysReplaced.withLock { $0[name].map { $0 >= generation } ?? false }
    }

    /// Whether a reload since `generation` revoked any key (removed a client or replaced a key).
    public func revokedAny(since generation: UInt64) -> Bool {
        lastRevokingReload.load(ordering: .acquiring) > generation
    }

    /// How many clients are let in.
    public var count: Int { clients.withLock { $0.byKey.count } }

    /// The client whose CURVE public key (Z85) is `publicKey`, if it is let in.
    public func client(publicKey: String) -> ClientEntitlements? { clients.withLock { $0.byKey[publicKey] } }

    /// The client named `name` (its ZAP `User-Id`), if it is let in.
    public func client(named name: String) -> ClientEntitlements? { clients.withLock { $0.byName[name] } }

    /// Every usable certificate of `folder`, and why the others are left out.
    private static func read(_ folder: String) throws(CertificateFileError) -> Clients {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".key") }.sorted()
        } catch {
            throw CertificateFileError(path: folder, reason: "cannot read the clients folder: \((error as NSError).localizedDescription)")
        }
        var loaded = Clients()
        for file in names {
            let path = (folder as NSString).appendingPathComponent(file)
            do {
                let client = try Self.read(path, name: String(file.dropLast(".key".count)))
                if let other = loaded.byKey[client.publicKey] {
                    throw CertificateFileError(path: path, reason: "has the same public key as \(other.name).key")
                }
                loaded.byKey[client.publicKey] = client.entitlements
                loaded.byName[client.entitlements.name] = client.entitlements
                loaded.keyOf[client.entitlements.name] = client.publicKey
            } catch {
                loaded.problems.append("\(error)")
            }
        }
        return loaded
    }

    private static func read(_ path: String, name: String) throws(CertificateFileError) -> (
        publicKey: String, entitlements: ClientEntitlements
    ) {
        let certificate = try CurveCertificate.load(from: path)
        func problem(_ reason: String) -> CertificateFileError { CertificateFileError(path: path, reason: reason) }
        if certificate.secretKey != nil {
            throw problem("holds a secret key: the clients folder takes public certificates (NAME.key) only")
        }
        guard let rolesText = certificate[metadata: "roles"] else {
            throw problem("no 'roles' in its metadata (any of \(Self.roleNames))")
        }
        var roles = Set<ClientEntitlements.Role>()
        for word in Self.list(rolesText) {
            guard let role = ClientEntitlements.Role(rawValue: word) else {
                throw problem("unknown role '\(word)' (roles are \(Self.roleNames))")
            }
            roles.insert(role)
        }
        guard let prefixesText = certificate[metadata: "prefixes"] else {
            throw problem("no 'prefixes' in its metadata (e.g. \"NASDAQ., NYSE.IBM\", or \"*\" for every topic)")
        }
        var prefixes: [TopicPrefix] = []
        for word in Self.list(prefixesText) {
            if word == "*" {
                prefixes.append(.all)
                continue
            }
            do { prefixes.append(try TopicPrefix(word)) } catch { throw problem("prefix '\(word)': \(error)") }
        }
        return (certificate.publicKey, ClientEntitlements(name: name, roles: roles, prefixes: prefixes))
    }

    private static let roleNames = ClientEntitlements.Role.allCases.map(\.rawValue).joined(separator: ", ")

    /// The words of a comma-separated list, trimmed, empty ones left out.
    private static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
