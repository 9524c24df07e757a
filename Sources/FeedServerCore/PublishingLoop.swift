import FeedModel
import Logging
import ZeroMQ

/// A publishing thread's loop, the server's and the relay's alike: polls the stop channel, the
/// intake's sockets and the fan-out's, keeps the fan-out and the blocks up, and on the way out
/// hands every block to the recorder. The intake (``PublisherIntake``) is all that differs.
///
/// Owns the control PULL, the fan-out and the blocks; nothing else touches them. It stops when a
/// message arrives on the control endpoint, after the intake took in what was already delivered,
/// or when the context is shut down. ``PublisherShutdown`` tells the whole stop sequence and why
/// it fits the shutdown budget.
final class PublishingLoop<Intake: PublisherIntake> {
    /// Names the thread in the log.
    private let name: String
    private let control: ZMQSocket
    private let output: PublishOutput
    let intake: Intake
    private let historyHandedOver: Latch
    private let logger: Logger

    /// Binds the control endpoint and the fan-out, then makes the intake; throws (with the
    /// endpoint in the message) if any bind fails.
    /// - Parameters:
    ///   - recorder: where blocks go; `nil` publishes without recording.
    ///   - relayRecording: a relay's recording around the blocks (see ``RelayRecording``).
    ///   - historyHandedOver: opened once every published message went to the recorder.
    init(
        name: String, context: ZMQContext, configuration: some PublishingConfiguration,
        controlEndpoint: String, recorder: Recorder?, relayRecording: ((BlockBuilder) -> RelayRecording)? = nil,
        historyHandedOver: Latch, counters: ServerCounters, logger: Logger,
        intake makeIntake: (PublishOutput) throws -> Intake
    ) throws {
        self.name = name
        self.historyHandedOver = historyHandedOver
        self.logger = logger
        control = try ControlChannel.bind(context, controlEndpoint)
        let fanOut = try FanOut(
            context: context, endpoints: configuration.publishEndpoints,
            multicastEndpoints: try configuration.multicastEndpoints.map { try PGMEndpoint($0).resolved() },
            multicastSettings: configuration.multicast, sendHighWaterMark: configuration.sendHighWaterMark,
            guards: configuration.guards, connectionLimit: configuration.connectionLimitPerEndpoint, curve: configuration.curve,
            stopRequests: control, counters: counters, logger: logger)
        let blocks = recorder.map {
            BlockBuilder(
                recorder: $0, messagesPerBlock: configuration.blockMessages,
                flushAfterMilliseconds: configuration.blockFlushMilliseconds)
        }
        if let relayRecording, let blocks {
            output = PublishOutput(fanOut: fanOut, blocks: nil, relayRecording: relayRecording(blocks))
        } else {
            output = PublishOutput(fanOut: fanOut, blocks: blocks)
        }
        intake = try makeIntake(output)
    }

    /// The publish endpoints as bound (wildcard ports resolved), multicast ones last.
    var publishEndpoints: [String] { output.fanOut.boundEndpoints }

    /// Runs until stopped. Then hands every block to the recorder (opening `historyHandedOver`)
    /// and, after a stop request, lets the intake say its last words and keeps multicast open
    /// for repairs.
    func run() {
        let requested = runUntilStopped()
        output.flushAll()
        historyHandedOver.open()
        guard requested else { return }
        intake.finishAfterStopRequest()
        output.fanOut.finishMulticast()
    }

    /// Returns `true` after a stop request, `false` when the context was shut down or on error.
    private func runUntilStopped() -> Bool {
        let fanOut = output.fanOut
        do {
            while true {
                let intakeSockets = intake.sockets
                let ready = try ZMQPoller.poll(
                    [control] + intakeSockets + fanOut.sockets, timeoutMilliseconds: pollTimeoutMilliseconds())
                if ready[0] {
                    // Multicast no longer waits: a PGM rate that cannot keep up must not hold the
                    // history back.
                    fanOut.stopWaitingForMulticast()
                    try intake.takeInAfterStopRequest()
                    return true
                }
                try intake.takeIn(readable: Array(ready[1..<(1 + intakeSockets.count)]))
                if ready[(intakeSockets.count + 1)...].contains(true) { try intake.handleSubscriptions() }
                try intake.housekeeping()
                let now = MonotonicClock.nanoseconds()
                fanOut.noteIntakeTurn(leftWorkWaiting: intake.leftWorkWaiting, now: now)
                output.flushDue(now: now)
                fanOut.checkStalledSubscribers(now: now)
                fanOut.applyReloadedClients()
            }
        } catch let error as ZMQError where error.isContextTerminated {
            logger.info("\(name) stopping: context shut down")
        } catch {
            logger.critical("\(name) stopped on error: \(error)")
        }
        return false
    }

    private func pollTimeoutMilliseconds() -> Int {
        let deadlines = [intake.nextDeadline, output.nextDeadline, output.fanOut.nextDeadline].compactMap { $0 }
        guard let deadline = deadlines.min() else { return -1 }
        return Int(max(0, (deadline - MonotonicClock.nanoseconds() + 999_999) / 1_000_000))
    }
}

@available(*, unavailable)
extension PublishingLoop: Sendable {}
