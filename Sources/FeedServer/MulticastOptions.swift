import ArgumentParser
import CommandLineSupport
import FeedServerCore
import ZeroMQ

/// `--multicast` and its tuning, shared by `serve` and `relay`.
struct MulticastOptions: ParsableArguments {
    @Option(help: ArgumentHelp("PGM multicast endpoint epgm://IFACE;GROUP:PORT to publish on; repeatable. IFACE is an interface name or its IPv4 address.", valueName: "ENDPOINT"))
    var multicast: [String] = []

    @Option(help: "Multicast send rate in kbit/s (libzmq's own default, 100, is far too low for a feed).")
    var multicastRate: Int32 = MulticastSettings().rateKilobits

    @Option(help: "How long multicast receivers can have losses repaired, in milliseconds.")
    var multicastRecoveryMs: Int32 = MulticastSettings().recoveryIntervalMilliseconds

    @Option(help: "Multicast hop count (TTL); 1 stays on the local network.")
    var multicastHops: Int32 = MulticastSettings().hops

    func validate() throws {
        for endpoint in multicast {
            try EndpointArgument.check(endpoint, option: "--multicast", role: .bind, transports: [.epgm, .pgm])
        }
        if multicastRate <= 0 { throw ValidationError("--multicast-rate must be positive (kbit/s)") }
        if multicastRecoveryMs <= 0 { throw ValidationError("--multicast-recovery-ms must be positive") }
        if !(1...255).contains(multicastHops) { throw ValidationError("--multicast-hops must be 1-255") }
    }

    var settings: MulticastSettings {
        var settings = MulticastSettings()
        settings.rateKilobits = multicastRate
        settings.recoveryIntervalMilliseconds = multicastRecoveryMs
        settings.hops = multicastHops
        return settings
    }
}
