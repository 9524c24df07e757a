/// How a daemon (server or relay) spends the 2 seconds it has between SIGTERM and exit.
///
/// The history is never what gets cut: every message published or forwarded is recorded before
/// the process exits. Time is bounded instead for what may be given up: producer messages that
/// keep arriving after the stop request, multicast messages the PGM rate cannot send in time, and
/// the wait for PGM repairs. Worst case: notice the stop (one wait slice), take in what producers
/// delivered (intake), hand the last blocks to the recorder, keep PGM open for repairs while the
/// recorder writes, close: about 1.6 s.
enum ShutdownBudget {
    /// Longest a publishing thread waits for room in a full multicast queue before it looks for a
    /// stop request again.
    static let multicastWaitSliceMilliseconds: Int32 = 50
    /// Longest the engine keeps taking in producer messages after a stop request. What producers
    /// delivered before the stop is taken in at tens of thousands of messages a second even in a
    /// debug build on a busy machine (about 45 k/s on an idle one), so a backlog the size of a
    /// multicast bottleneck's fits with room to spare.
    static let intakeMilliseconds = 800
    /// Intake is complete once nothing arrived for this long: what producers wrote just before
    /// the stop may still be on its way from the socket into libzmq's queue.
    static let intakeQuietMilliseconds = 10
    /// How long PGM senders stay open after the last message, so receivers can still have the
    /// tail repaired (libpgm answers NAKs only while its socket exists). A receiver learns of a
    /// lost tail from the final heartbeat or from PGM's own SPMs (every 100 ms after data), and
    /// asks after a back-off of up to 50 ms; this leaves room for a repeated request.
    static let multicastRepairMilliseconds = 500
    /// The publishing thread must have handed its last blocks to the recorder this long after the
    /// stop request; otherwise the context is shut down to end whatever libzmq call it is in.
    static let handOverMilliseconds = 1200
    /// How long after a stop request the recorder still retries a failing write (up to three
    /// attempts); later a failing batch gets one attempt.
    static let recorderRetryMilliseconds = 300
}
