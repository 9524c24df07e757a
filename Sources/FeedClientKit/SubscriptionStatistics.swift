import Synchronization

/// Counters of a ``FeedSubscription``, readable from any thread while it runs and after it
/// ended: how much came from history rather than live, and what was dropped or reported.
public final class SubscriptionStatistics: Sendable {
    /// A consistent copy of the counters.
    public struct Counts: Sendable, Equatable {
        /// Messages delivered from history (replay and repair) rather than live.
        public var fromHistory = 0
        /// Duplicates dropped (already delivered from history or repair).
        public var duplicatesDropped = 0
        /// Messages reported lost in gap events.
        public var reportedLost: UInt64 = 0
        /// Messages that did not decode and were skipped.
        public var malformed = 0
        /// Pieces of messages a multicast loss cut off, skipped (not malformed).
        public var cutByLoss = 0
        /// Times a PGM line was rejoined after it stalled.
        public var multicastRejoins = 0
        /// With several lines, what each contributed; empty with one.
        public var lines: [LineFigures] = []
    }

    private let state = Mutex(Counts())

    public init() {}

    /// The counters now.
    public var counts: Counts { state.withLock { $0 } }

    func update(from feed: SequencedFeed) {
        let counts = Counts(
            fromHistory: feed.fromHistory, duplicatesDropped: feed.duplicatesDropped, reportedLost: feed.reportedLost,
            malformed: feed.malformed, cutByLoss: feed.cutByLoss, multicastRejoins: feed.multicastRejoins,
            lines: feed.lineFigures)
        state.withLock { $0 = counts }
    }
}
