import Foundation
import Testing
import ZeroMQ

/// CURVE certificates in czmq's layout: what czmq and pyzmq write reads back, the keys are
/// checked, and a secret file others may read is refused.
struct CurveCertificateTests {
    /// Written by pyzmq's `zmq.auth.create_certificates` (bare metadata values).
    static let pyzmqSecret = """
        #   ****  Generated on 2026-11-26 13:10:51.892618 by pyzmq  ****
        #   ZeroMQ CURVE **Secret** Certificate
        #   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.

        metadata
            roles = subscribe
        curve
            public-key = "dJxH:IU2}ACUP:T:y9Z<>BFYF62j3YJV8=gi:C@A"
            secret-key = ".W?npy4)p8>ls-mAaV5q<KXIZ:BaDpa}Zi=)P*6)"

        """

    @Test func readsWhatPyzmqAndCzmqWrite() throws {
        let secret = try CurveCertificate(parsing: Self.pyzmqSecret)
        #expect(secret.publicKey == "dJxH:IU2}ACUP:T:y9Z<>BFYF62j3YJV8=gi:C@A")
        #expect(secret.secretKey == ".W?npy4)p8>ls-mAaV5q<KXIZ:BaDpa}Zi=)P*6)")
        #expect(secret[metadata: "roles"] == "subscribe")
        // czmq quotes metadata values and indents with four spaces.
        let czmq = try CurveCertificate(
            parsing: "metadata\n    name = \"feed A\"\n    prefixes = \"NASDAQ., NYSE.IBM\"\ncurve\n    public-key = \"dJxH:IU2}ACUP:T:y9Z<>BFYF62j3YJV8=gi:C@A\"\n")
        #expect(czmq.secretKey == nil)
        #expect(czmq[metadata: "prefixes"] == "NASDAQ., NYSE.IBM")
        #expect(czmq[metadata: "name"] == "feed A")
    }

    @Test func writtenTextReadsBackTheSame() throws {
        let pair = try CurveKeyPair.generate()
        #expect(CurveKeyPair(secretKey: pair.secretKey) == pair)
        let certificate = CurveCertificate(
            publicKey: pair.publicKey, secretKey: pair.secretKey, metadata: [("roles", "subscribe,replay"), ("prefixes", "NASDAQ.")])
        #expect(try CurveCertificate(parsing: certificate.text(writtenBy: "test", includingSecret: true)) == certificate)
        let publicOnly = try CurveCertificate(parsing: certificate.text(writtenBy: "test", includingSecret: false))
        #expect(publicOnly == CurveCertificate(publicKey: pair.publicKey, metadata: certificate.metadata))
    }

    @Test(arguments: [
        ("metadata\ncurve\n", "no public-key"),
        ("curve\n    public-key = \"short\"\n", "public-key is not a 40-character Z85 key"),
        ("curve\n    public-key\n", "line 2: expected 'name = value'"),
        (
            "curve\n    public-key = \"dJxH:IU2}ACUP:T:y9Z<>BFYF62j3YJV8=gi:C@A\"\n    secret-key = \"EtW7^-oPyjw[rNc>2x3!e0FNF9Lj5jOGb#:?szYK\"\n",
            "secret-key does not belong to the public-key"
        ),
    ])
    func badCertificatesAreRefusedWithAReason(text: String, reason: String) {
        #expect {
            _ = try CurveCertificate(parsing: text)
        } throws: { error in
            "\(error)".contains(reason)
        }
    }

    @Test func secretFilesOthersMayReadAreRefusedWithTheFix() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("curve-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pair = try CurveKeyPair.generate()
        let files = try CurveCertificate(publicKey: pair.publicKey, secretKey: pair.secretKey).write(
            named: "alice", in: folder, writtenBy: "test")
        #expect(try FileManager.default.attributesOfItem(atPath: files.secretFile)[.posixPermissions] as? Int == 0o600)
        #expect(try FileManager.default.attributesOfItem(atPath: files.publicFile)[.posixPermissions] as? Int == 0o644)
        #expect(try CurveCertificate.load(from: files.secretFile).secretKey == pair.secretKey)
        #expect(try CurveCertificate.load(from: files.publicFile).secretKey == nil)

        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: files.secretFile)
        #expect {
            _ = try CurveCertificate.load(from: files.secretFile)
        } throws: { error in
            "\(error)".hasSuffix("group or others may read it (mode 640): run chmod 600 \(files.secretFile)")
        }
        // Never replaced.
        #expect(throws: CertificateFileError.self) { try CurveCertificate(publicKey: pair.publicKey).write(named: "alice", in: folder, writtenBy: "test") }
        #expect(try CurveCertificate.load(from: files.publicFile).publicKey == pair.publicKey)
    }
}
