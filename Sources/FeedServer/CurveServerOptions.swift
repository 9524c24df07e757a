import ArgumentParser
import CommandLineSupport
import FeedServerCore
import ZeroMQ

/// `--curve-secret`, `--clients`, `--insecure` and `--multicast-unencrypted`, shared by `serve`
/// and `relay`: CURVE on every tcp and ipc endpoint, and the rule that nothing listens beyond
/// this host unencrypted unless asked to.
struct CurveServerOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "This server's secret certificate (NAME.key_secret from feed-client keygen): CURVE on every tcp and ipc "
                + "endpoint (inproc stays plain). Needs --clients.", valueName: "FILE"))
    var curveSecret: String?

    @Option(
        help: ArgumentHelp(
            "Folder of the clients let in: one public certificate NAME.key each, with metadata roles (subscribe, "
                + "publish, replay) and prefixes (e.g. \"NASDAQ., NYSE.IBM\", or \"*\").", valueName: "DIR"))
    var clients: String?

    @Flag(help: "Allow tcp endpoints beyond loopback without CURVE: anyone who reaches the port may publish and read.")
    var insecure = false

    @Flag(help: "With CURVE, allow --multicast anyway: PGM is never encrypted, and every host on the segment reads it all.")
    var multicastUnencrypted = false

    /// Checks the options against the endpoints the command binds (`option` names each).
    func validate(binding endpoints: [(option: String, endpoint: String)], multicast: [String]) throws {
        switch (curveSecret, clients) {
        case (_?, nil): throw ValidationError("--curve-secret needs --clients DIR (the clients let in)")
        case (nil, _?): throw ValidationError("--clients needs --curve-secret FILE (this server's secret certificate)")
        default: break
        }
        if curveSecret != nil {
            _ = try secretKey()
            if insecure { throw ValidationError("--insecure contradicts --curve-secret: give one of them") }
            if !multicast.isEmpty && !multicastUnencrypted {
                throw ValidationError(
                    "--multicast is never encrypted and cannot enforce entitlements: add --multicast-unencrypted to send it anyway")
            }
        } else if !insecure, let open = endpoints.first(where: { !EndpointArgument.isLocal($0.endpoint) }) {
            throw ValidationError(
                "\(open.option) \(open.endpoint) listens beyond this host: give --curve-secret FILE --clients DIR, or --insecure to run it unencrypted")
        }
    }

    /// The CURVE settings, with the clients folder read; `nil` without `--curve-secret`.
    func settings() throws -> CurveServerSettings? {
        guard let clients, curveSecret != nil else { return nil }
        let list: ClientAllowList
        do { list = try ClientAllowList(folder: clients) } catch { throw ValidationError("--clients \(error)") }
        return CurveServerSettings(secretKey: try secretKey(), clients: list)
    }

    private func secretKey() throws -> String {
        guard let curveSecret else { throw ValidationError("--curve-secret missing") }
        let certificate: CurveCertificate
        do { certificate = try CurveCertificate.load(from: curveSecret) } catch { throw ValidationError("--curve-secret \(error)") }
        guard let secret = certificate.secretKey else {
            throw ValidationError("--curve-secret \(curveSecret): no secret key in it (give NAME.key_secret, not NAME.key)")
        }
        return secret
    }
}
