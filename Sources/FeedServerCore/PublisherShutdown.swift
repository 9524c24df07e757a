import Logging
import ZeroMQ

/// Stops a publishing thread (a ``PublishingLoop``, the server's engine or the relay's forwarder)
/// so the daemon exits within 2 seconds of SIGTERM with every message it published in the
/// history, also after PGM use and when the PGM sender is the bottleneck. Made by the daemon
/// that started the thread; ``stop()`` is called once, from any thread.
///
/// Why this is correct:
/// 1. The stop request always gets through. It is one byte on the thread's inproc control
///    socket. The thread polls that socket in its loop, and the only place where it could
///    block for long, a full multicast queue, is waited on in slices of 50 ms that look at
///    the control socket in between (``FanOut``). The other wait, for a recorder whose
///    backlog is full, is not cut short: the recorder keeps writing, and the history is what
///    must not be lost; a recorder that cannot write gives up its batch within three attempts
///    once told the stop began.
/// 2. Nothing published is lost. A message is recorded on the thread that publishes it,
///    right after it went to the sockets; after the stop request the thread takes in what
///    producers already delivered (bounded by time, see ``ShutdownBudget``), hands every open
///    block to the recorder and opens `historyHandedOver`. Only then is the recorder told to
///    finish, so its queue is complete when it drains it. What is given up is bounded and
///    logged with its count: multicast messages the PGM rate could not send in time (they
///    are in the history and in the TCP fan-out) and producer messages still arriving after
///    the intake budget (never published, so never promised to anyone).
/// 3. zmq_ctx_term is never called after PGM use: it can hang forever (libzmq issue 822,
///    seen here with LINGER 0). The thread closes its own sockets when its loop ends, a
///    context a PGM socket used never terminates (``ZeroMQ/ZMQContext`` sees to it), and
///    process exit releases what libzmq still holds.
/// 4. PGM receivers get a bounded repair window: the thread keeps its PGM sockets open for
///    ``ShutdownBudget/multicastRepairMilliseconds`` after its last message, in parallel with
///    the recorder's last write, because libpgm answers NAKs only while its socket exists.
/// 5. If the thread has still not handed over its history after
///    ``ShutdownBudget/handOverMilliseconds`` (it should not happen: a libzmq call that never
///    returns), shutting down a context this daemon owns makes every libzmq call on it return
///    ETERM, after which the thread still hands its blocks over. A context owned by a library
///    caller is left alone: shutting it down would break the caller's own sockets.
struct PublisherShutdown: Sendable {
    let thread: WorkerThread
    let context: ZMQContext
    let controlEndpoint: String
    /// Opened by the loop once every published message went to the recorder.
    let historyHandedOver: Latch
    let recorder: Recorder?
    /// Whether the daemon made the context, and so may shut it down (rule 5).
    let ownsContext: Bool
    let logger: Logger

    func stop() {
        // The thread may be waiting for a recorder whose writes fail: let the recorder give up
        // soon, or the hand-over could wait for ever.
        recorder?.beginStopping()
        ControlChannel.sendStop(context: context, endpoint: controlEndpoint)
        if !historyHandedOver.wait(timeoutMilliseconds: ShutdownBudget.handOverMilliseconds) {
            if ownsContext {
                logger.error("\(thread.name) thread did not stop within \(ShutdownBudget.handOverMilliseconds) ms; shutting its ZeroMQ context down")
                context.shutdown()
            } else {
                logger.error("\(thread.name) thread did not stop within \(ShutdownBudget.handOverMilliseconds) ms; still waiting for it")
            }
            historyHandedOver.wait()
        }
        recorder?.stopAndFlush()
        thread.join()
    }
}
