import ZeroMQ

/// Keeps what stalled subscribers' queues may hold together under `--subscriber-memory`:
/// decides which to disconnect, the longest-stalled first.
///
/// libzmq does not say how much a subscriber's queue holds, so it is estimated from above: a
/// subscriber stalled since it had published `n` messages holds at most the messages published
/// since (fewer if its subscriptions do not match them all), at most its high-water mark, each
/// costing at most ``SubscriberGuards/bytesPerQueuedMessage``. Connections that are not stalled
/// are drained by libzmq as fast as their kernel send queue takes them, so they count nothing.
/// Part of what is counted sits in the kernel's send buffer of the connection (up to
/// `net.ipv4.tcp_wmem`'s maximum, 4 MiB by default), machine memory outside the process: with
/// 300 stalled subscribers the server's own RSS grew by about half the budget (BENCHMARKS.md).
/// The queue limit itself stays the configured high-water mark: libzmq 4.3.4 crashes when it
/// changes while a connection closes (its issue 4524), so the budget cannot be applied by
/// sharing it out as queue limits to the subscribers connected.
///
/// Decisions only, from ``SlowSubscriberWatch``'s stalls; ``FanOut`` disconnects.
struct SubscriberMemoryBudget {
    let bytes: Int
    /// A subscriber queue's high-water mark (messages); 0 is libzmq's "no limit".
    let queueLimit: Int32

    /// What a subscriber stalled since `stall` may hold now that `published` messages were published.
    func estimate(_ stall: SlowSubscriberWatch.Stall, published: UInt64) -> Int {
        let queued = published &- stall.publishedBefore
        let capped = queueLimit > 0 ? min(queued, UInt64(queueLimit)) : queued
        return Int(clamping: capped) &* SubscriberGuards.bytesPerQueuedMessage
    }

    /// What the stalled subscribers may hold together, and those to disconnect so that what
    /// the others may hold fits the budget: the longest-stalled first.
    func overBudget(
        _ stalls: [ConnectionDescriptor: SlowSubscriberWatch.Stall], published: UInt64
    ) -> (heldBytes: Int, toDisconnect: [ConnectionDescriptor]) {
        var held = stalls.values.reduce(0) { $0 &+ estimate($1, published: published) }
        let total = held
        guard held > bytes else { return (total, []) }
        var toDisconnect: [ConnectionDescriptor] = []
        for (connection, stall) in stalls.sorted(by: { ($0.value.since, $0.key.rawValue) < ($1.value.since, $1.key.rawValue) }) {
            guard held > bytes else { break }
            held -= estimate(stall, published: published)
            toDisconnect.append(connection)
        }
        return (total, toDisconnect)
    }
}
