import FeedHistory
import FeedModel
import Synchronization

/// The `status` a relay's replay service answers: that of the latest origin session the relay
/// forwarded, with `recorded` the feed sequence its history holds that session through.
///
/// A client waits for `recorded` to pass a sequence before asking for history up to there
/// (``FeedModel/ServerStatus/recorded``); a relay records each session in order from where it
/// joined, so its highest stored feed sequence of the session answers that question. Shared by
/// the forwarding thread (which raises the session) and the replay thread.
final class RelayReplayStatus: Sendable {
    /// The latest origin session seen (0 before any).
    let latestSession = Atomic<UInt32>(0)

    /// Notes that `session` was seen.
    func saw(_ session: UInt32) {
        _ = latestSession.max(session, ordering: .relaxed)
    }

    /// The status to answer with; a history that cannot be read answers `recorded` 0.
    func status(counters: ServerCounters, store: HistoryStore) -> ServerStatus {
        let session = latestSession.load(ordering: .relaxed)
        var status = counters.status(session: session)
        status.recorded = (try? store.recordedThrough(session: session)) ?? 0
        // `recorded` is a feed sequence here, not a count: messages given up are not added to it.
        status.unrecorded = nil
        return status
    }
}
