import ArgumentParser
import CommandLineSupport
import ZeroMQ

/// `feed-client keygen NAME`: a new CURVE key pair as czmq-style certificate files.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Write a new CURVE key pair: NAME.key (public, to give to the server's operator) and NAME.key_secret (mode 0600).",
        discussion: """
            The files use ZeroMQ's certificate layout (czmq's zcert, Z85 keys), which pyzmq's \
            zmq.auth.load_certificate also reads. Existing files are never replaced.
            """
    )

    @Argument(help: "Name of the key files: letters, digits, '.', '_' and '-'.")
    var name: String

    @Option(help: "Folder to write the files into.")
    var directory = "."

    @Option(
        name: .customLong("metadata"),
        help: ArgumentHelp("A metadata line of both files, e.g. --metadata 'roles=subscribe'; repeatable.", valueName: "name=value"))
    var metadataLines: [String] = []

    func validate() throws {
        guard !name.isEmpty, name.first != ".", name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) })
        else {
            throw ValidationError("key name '\(name)': use letters, digits, '.', '_' and '-', not starting with '.'")
        }
        _ = try metadata()
    }

    func run() throws {
        do {
            let pair = try CurveKeyPair.generate()
            let certificate = CurveCertificate(publicKey: pair.publicKey, secretKey: pair.secretKey, metadata: try metadata())
            let files = try certificate.write(named: name, in: directory, writtenBy: "feed-client keygen")
            print("public key \(pair.publicKey)")
            print("wrote \(files.publicFile) (public) and \(files.secretFile) (secret, mode 0600)")
        } catch let error as CertificateFileError {
            ClientFailure.writeError("\(error)")
            throw ExitStatus.cannotCreate.exitCode
        } catch {
            throw ClientFailure.exit(error)
        }
    }

    private func metadata() throws(ValidationError) -> [(name: String, value: String)] {
        var entries: [(name: String, value: String)] = []
        for line in metadataLines {
            guard let equals = line.firstIndex(of: "=") else { throw ValidationError("--metadata '\(line)': expected name=value") }
            let entry = (name: String(line[..<equals]), value: String(line[line.index(after: equals)...]))
            guard CurveCertificate.isMetadataName(entry.name) else {
                throw ValidationError("--metadata '\(line)': a name is letters, digits and $-_@.&+/")
            }
            guard CurveCertificate.isMetadataValue(entry.value) else {
                throw ValidationError("--metadata '\(line)': a value is one line without double quotes")
            }
            guard !entries.contains(where: { $0.name == entry.name }) else {
                throw ValidationError("--metadata '\(entry.name)' given twice")
            }
            entries.append(entry)
        }
        return entries
    }
}
