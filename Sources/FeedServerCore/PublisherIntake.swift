import ZeroMQ

/// Where a publishing thread's messages come from: the server's producers, demo feed and
/// heartbeats (``FeedEngine``), or a relay's upstreams (``RelayForwarder``). ``PublishingLoop``
/// runs around it and owns everything else: the stop request, the fan-out's upkeep, the
/// recorder's blocks and the shutdown sequence.
///
/// All methods are called on the publishing thread, by its loop, one at a time. Each call takes
/// a bounded turn (so one side flooding slows the others down instead of stopping them), and
/// publishes through the loop's ``PublishOutput``.
protocol PublisherIntake: AnyObject {
    /// The sockets the loop polls for this intake, besides its control socket and the fan-out's.
    var sockets: [ZMQSocket] { get }
    /// Takes a turn at what waits on ``sockets``: `readable[i]` tells whether `sockets[i]` is.
    func takeIn(readable: [Bool]) throws
    /// Whether this turn (``takeIn(readable:)`` and ``housekeeping()``) stopped at its limit
    /// with more waiting: the feed is behind what its producers offer (``FeedBacklog``).
    var leftWorkWaiting: Bool { get }
    /// The fan-out's sockets are readable: reads a turn of subscription changes and acts on them.
    func handleSubscriptions() throws
    /// Timers, once per turn of the loop.
    func housekeeping() throws
    /// When ``housekeeping()`` is due next, if ever (on ``MonotonicClock``).
    var nextDeadline: Int64? { get }
    /// After a stop request, before the history is handed over: takes in what was delivered
    /// before it, within ``ShutdownBudget/intakeMilliseconds``.
    func takeInAfterStopRequest() throws
    /// After a stop request, once the history was handed over and before multicast's repair
    /// window: the last words to subscribers.
    func finishAfterStopRequest()
}
