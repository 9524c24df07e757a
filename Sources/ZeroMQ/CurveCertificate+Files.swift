import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A certificate file that cannot be read or written, with the reason and, where there is one,
/// the command that fixes it.
public struct CertificateFileError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String

    public var description: String { "\(path): \(reason)" }
}

extension CurveCertificate {
    /// Reads the certificate at `path`. A secret certificate (one holding `secret-key`) that
    /// the group or others may read is refused, as ssh refuses such a private key, with the
    /// `chmod` that fixes it.
    public static func load(from path: String) throws(CertificateFileError) -> CurveCertificate {
        let text: String
        let permissions: FilePermissions
        do {
            let file = try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec])
            (text, permissions) = try file.closeAfter {
                let info = try file.stat()
                guard info.type == .regular else { throw CertificateFileError(path: path, reason: "not a regular file") }
                guard info.size <= 65_536 else {
                    throw CertificateFileError(path: path, reason: "too large for a certificate (over 64 KiB)")
                }
                var bytes = [UInt8](repeating: 0, count: Int(info.size))
                let count = try bytes.withUnsafeMutableBytes { try file.read(into: $0) }
                return (String(decoding: bytes.prefix(count), as: UTF8.self), info.permissions)
            }
        } catch let error as CertificateFileError {
            throw error
        } catch {
            throw CertificateFileError(path: path, reason: "\(error)")
        }
        let certificate: CurveCertificate
        do { certificate = try CurveCertificate(parsing: text) } catch {
            throw CertificateFileError(path: path, reason: "not a CURVE certificate: \(error)")
        }
        if certificate.secretKey != nil, !permissions.isDisjoint(with: [.groupReadWriteExecute, .otherReadWriteExecute]) {
            throw CertificateFileError(
                path: path,
                reason: "holds a secret key but the group or others may read it (mode \(String(permissions.rawValue, radix: 8))): run chmod 600 \(path)")
        }
        return certificate
    }

    /// Writes `NAME.key` (public, mode 0644) and `NAME.key_secret` (mode 0600) into
    /// `directory`; refuses to replace either. Returns both paths.
    public func write(named name: String, in directory: String, writtenBy program: String) throws(CertificateFileError) -> (
        publicFile: String, secretFile: String
    ) {
        let base = FilePath(directory).appending(name).string
        let publicFile = base + ".key"
        let secretFile = base + ".key_secret"
        for path in [publicFile, secretFile] where (try? FilePath(path).stat(followTargetSymlink: false)) != nil {
            throw CertificateFileError(path: path, reason: "already exists; remove it first or choose another name")
        }
        try Self.create(secretFile, permissions: .ownerReadWrite, text: text(writtenBy: program, includingSecret: true))
        do {
            try Self.create(
                publicFile, permissions: [.ownerReadWrite, .groupRead, .otherRead], text: text(writtenBy: program, includingSecret: false))
        } catch {
            unlink(secretFile)
            throw error
        }
        return (publicFile, secretFile)
    }

    /// Creates `path` exclusively with `permissions` (set again after creation, so the umask
    /// cannot change them) and writes `text`.
    private static func create(_ path: String, permissions: FilePermissions, text: String) throws(CertificateFileError) {
        let file: FileDescriptor
        do {
            file = try FileDescriptor.open(
                FilePath(path), .writeOnly, options: [.create, .exclusiveCreate, .closeOnExec], permissions: permissions)
        } catch {
            throw CertificateFileError(path: path, reason: "\(error)")
        }
        do {
            try file.closeAfter {
                guard fchmod(file.rawValue, permissions.rawValue) == 0 else { throw Errno(rawValue: errno) }
                _ = try file.writeAll(text.utf8)
            }
        } catch {
            unlink(path)
            throw CertificateFileError(path: path, reason: "\(error)")
        }
    }
}
