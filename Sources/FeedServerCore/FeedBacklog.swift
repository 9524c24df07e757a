/// Whether the feed is behind its producers: every turn of the publishing loop for a while
/// stopped at its limit with more waiting (``PublisherIntake/leftWorkWaiting``), so producers
/// wait for it. Decisions only; ``FanOut`` notes each turn.
struct FeedBacklog {
    private(set) var behindSince: Int64?

    mutating func noteTurn(leftWorkWaiting: Bool, now: Int64) {
        if !leftWorkWaiting {
            behindSince = nil
        } else if behindSince == nil {
            behindSince = now
        }
    }

    /// Behind at every turn for at least `nanoseconds` by `now`.
    func isBehind(for nanoseconds: Int64, now: Int64) -> Bool {
        behindSince.map { now - $0 >= nanoseconds } ?? false
    }
}
