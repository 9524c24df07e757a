import ArgumentParser
import CommandLineSupport
import FeedServerCore
import Logging

/// The limits on subscribers and connections, shared by `serve` and `relay`.
struct SubscriberGuardOptions: ParsableArguments {
    @Option(
        help: "Subscriptions one subscriber may hold, each at most \(SubscriberGuards.maximumSubscriptionLength) bytes (a topic); one asking for more, or longer, is disconnected.")
    var maxSubscriptions = SubscriberGuards().maximumSubscriptions

    @Option(
        help: ArgumentHelp(
            "What stalled subscribers' queues may hold together (e.g. 512MB, 2GiB); beyond it the longest-stalled are disconnected (default: 1 GiB or an eighth of physical memory, whichever is less: \(SubscriberGuards.defaultSubscriberMemoryBytes >> 20) MiB here).",
            valueName: "BYTES"))
    var subscriberMemory: String?

    @Option(
        help:
            "Disconnect a subscriber whose send queue stays full this long (sooner, after 1 s, one that reads nothing while the feed is behind its producers); 0 never does."
    )
    var slowSubscriberMs = SubscriberGuards().slowSubscriberMilliseconds

    @Option(help: "Connections each endpoint may hold; further ones are closed at once (default: a share of the descriptor limit).")
    var maxConnections: Int?

    func validate() throws {
        try CountArgument.check(maxSubscriptions, option: "--max-subscriptions", maximum: 10_000_000)
        if let subscriberMemory { _ = try ByteCountArgument.parse(subscriberMemory, option: "--subscriber-memory", minimum: 1 << 20) }
        if slowSubscriberMs != 0 { try TimeoutArgument.check(slowSubscriberMs, option: "--slow-subscriber-ms") }
        if let maxConnections { try CountArgument.check(maxConnections, option: "--max-connections", maximum: 10_000_000) }
    }

    /// The guards as given, after raising the descriptor limit (logged).
    func guards(logger: Logger) throws -> SubscriberGuards {
        var guards = SubscriberGuards()
        guards.maximumSubscriptions = maxSubscriptions
        if let subscriberMemory {
            guards.subscriberMemoryBytes = Int(try ByteCountArgument.parse(subscriberMemory, option: "--subscriber-memory"))
        }
        guards.slowSubscriberMilliseconds = slowSubscriberMs
        guards.connectionsPerEndpoint = maxConnections
        if let limits = ConnectionLimit.raiseToHardLimit() {
            logger.info(
                "descriptors: soft limit \(limits.soft) (was \(limits.before)), hard limit \(limits.hard)")
        }
        return guards
    }
}
