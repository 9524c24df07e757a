import Logging
import Synchronization
import Testing
import ZeroMQ

@testable import FeedServerCore

/// The loop the server and the relay share, on a real thread with real inproc sockets, around an
/// intake that publishes what a PUSH sends it and notes what the loop asked of it.
@Suite(.serialized)
struct PublishingLoopTests {
    @Test func aStopRequestTakesInWhatWasDeliveredHandsTheHistoryOverAndOnlyThenFinishes() throws {
        let rig = try Rig()
        let subscriber = try ZMQSocket(rig.context, .sub)
        try subscriber.set(.linger, 0)
        try subscriber.set(.receiveTimeout, 5000)
        try subscriber.set(.subscribe, [UInt8]())
        try subscriber.connect(rig.publishEndpoints[0])
        // Handshake: the intake read the subscription from the fan-out.
        #expect(rig.intakeSawSubscription.wait(timeoutMilliseconds: 5000))

        try rig.producer.send(frames: [Array("NASDAQ.AAPL".utf8), [1, 2, 3]])
        #expect(try subscriber.receiveFrames() == [Array("NASDAQ.AAPL".utf8), [1, 2, 3]])

        // Delivered before the stop request: published before the history is handed over.
        for index in 0..<3 { try rig.producer.send(frames: [Array("NYSE.IBM".utf8), [UInt8(index)]]) }
        rig.shutdown.stop()
        #expect(rig.calls.list == ["take in after stop", "published 4", "finish after hand-over"])
    }

    @Test func aContextShutDownEndsTheLoopAndHandsTheHistoryOverWithoutTheStopSequence() throws {
        let rig = try Rig()
        rig.context.shutdown()
        #expect(rig.thread.join(timeoutMilliseconds: 5000))
        #expect(rig.historyHandedOver.wait(timeoutMilliseconds: 0))
        #expect(rig.calls.list.isEmpty)
    }
}

/// What the intake was asked to do, in order; written on the loop's thread.
private final class Calls: Sendable {
    private let storage = Mutex<[String]>([])
    func add(_ call: String) { storage.withLock { $0.append(call) } }
    var list: [String] { storage.withLock { $0 } }
}

/// A publishing loop on its thread, with a producer PUSH connected to its intake.
private struct Rig {
    let context: ZMQContext
    let thread: WorkerThread
    let shutdown: PublisherShutdown
    let historyHandedOver = Latch()
    let intakeSawSubscription = Latch()
    let calls = Calls()
    let publishEndpoints: [String]
    let producer: ZMQSocket
    private static let instances = Atomic<Int>(0)

    init() throws {
        let context = try ZMQContext()
        self.context = context
        let name = "publishing-loop-test-\(Self.instances.add(1, ordering: .relaxed).newValue)"
        let configuration = {
            var configuration = RelayConfiguration()
            configuration.publishEndpoints = ["inproc://\(name)-publish"]
            return configuration
        }()
        let controlEndpoint = ControlChannel.makeEndpoint(name)
        let intakeEndpoint = "inproc://\(name)-intake"
        let logger = Logger(label: name)
        let (historyHandedOver, intakeSawSubscription, calls) = (self.historyHandedOver, self.intakeSawSubscription, self.calls)
        let bound = SetUpValue<[String]>([])
        thread = try WorkerThread.start(name: name) {
            let loop = try PublishingLoop(
                name: name, context: context, configuration: configuration, controlEndpoint: controlEndpoint, recorder: nil,
                historyHandedOver: historyHandedOver, counters: ServerCounters(recording: false), logger: logger
            ) { output in
                try NotingIntake(
                    context: context, endpoint: intakeEndpoint, output: output, historyHandedOver: historyHandedOver,
                    sawSubscription: intakeSawSubscription, calls: calls)
            }
            bound.value = loop.publishEndpoints
            return UncheckedTransfer(loop)
        } run: { loop in
            loop.value.run()
        }
        publishEndpoints = bound.value
        shutdown = PublisherShutdown(
            thread: thread, context: context, controlEndpoint: controlEndpoint, historyHandedOver: historyHandedOver,
            recorder: nil, ownsContext: false, logger: logger)
        producer = try ZMQSocket(context, .push)
        try producer.set(.linger, 0)
        try producer.connect(intakeEndpoint)
    }
}

/// Publishes every message its PULL receives, and notes the loop's calls after a stop request.
private final class NotingIntake: PublisherIntake {
    private let input: ZMQSocket
    private let output: PublishOutput
    private let historyHandedOver: Latch
    private let sawSubscription: Latch
    private let calls: Calls
    private let frames = ZMQMultipartMessage(capacity: 2)
    private var published = 0

    init(
        context: ZMQContext, endpoint: String, output: PublishOutput, historyHandedOver: Latch, sawSubscription: Latch,
        calls: Calls
    ) throws {
        input = try ZMQSocket(context, .pull)
        try input.set(.linger, 0)
        try input.bind(endpoint)
        self.output = output
        self.historyHandedOver = historyHandedOver
        self.sawSubscription = sawSubscription
        self.calls = calls
    }

    var sockets: [ZMQSocket] { [input] }

    func takeIn(readable: [Bool]) throws {
        if readable[0] { try publishWaiting() }
    }

    let leftWorkWaiting = false

    func handleSubscriptions() throws {
        if try !output.fanOut.readSubscriptionChanges(limit: 100).isEmpty { sawSubscription.open() }
    }

    func housekeeping() throws {}
    var nextDeadline: Int64? { nil }

    func takeInAfterStopRequest() throws {
        calls.add("take in after stop")
        // What was sent before the stop request is in the inproc pipe already.
        try publishWaiting()
        calls.add("published \(published)")
    }

    func finishAfterStopRequest() {
        calls.add(historyHandedOver.wait(timeoutMilliseconds: 0) ? "finish after hand-over" : "finish before hand-over")
    }

    private func publishWaiting() throws {
        while try input.receive(into: frames, dontWait: true) {
            try output.fanOut.publish(topic: frames[0], body: frames[1])
            published += 1
        }
    }
}
