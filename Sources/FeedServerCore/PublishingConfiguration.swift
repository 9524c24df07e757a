import ZeroMQ

/// What a publishing thread's fan-out and blocks are made from, as a server's and a relay's
/// configurations both say it.
protocol PublishingConfiguration: Sendable {
    var publishEndpoints: [String] { get }
    var multicastEndpoints: [String] { get }
    var multicast: MulticastSettings { get }
    var sendHighWaterMark: Int32 { get }
    var guards: SubscriberGuards { get }
    var curve: CurveServerSettings? { get }
    var blockMessages: Int { get }
    var blockFlushMilliseconds: Int { get }
    /// Connections each of the daemon's listening endpoints may hold: its share of descriptors.
    var connectionLimitPerEndpoint: Int { get }
}

extension ServerConfiguration: PublishingConfiguration {
    /// Publish, ingest and replay share the descriptors.
    var connectionLimitPerEndpoint: Int { guards.connectionLimit(endpoints: 3) }
}

extension RelayConfiguration: PublishingConfiguration {
    /// The publish endpoints listen, and the replay endpoint when the relay serves its history.
    var connectionLimitPerEndpoint: Int { guards.connectionLimit(endpoints: replayEndpoint == nil ? 1 : 2) }
}
