import Synchronization
import ZeroMQ

/// How a worker thread is told to stop: it polls a PULL bound to a private `inproc://`
/// endpoint, and any thread may push one byte to it through a socket of its own.
enum ControlChannel {
    private static let instances = Atomic<Int>(0)

    /// A new endpoint name, unique in this process.
    static func makeEndpoint(_ name: String) -> String {
        "inproc://\(name)-control-\(instances.add(1, ordering: .relaxed).newValue)"
    }

    /// Binds the worker's end; call on the worker's thread.
    static func bind(_ context: ZMQContext, _ endpoint: String) throws -> ZMQSocket {
        let control = try ZMQSocket(context, .pull)
        try control.set(.linger, 0)
        try control.bind(endpoint)
        return control
    }

    /// Tells the worker to stop, from any thread, through a socket made and closed right here.
    static func sendStop(context: ZMQContext, endpoint: String) {
        do {
            let push = try ZMQSocket(context, .push)
            try push.set(.linger, 1000)
            try push.connect(endpoint)
            try push.send([UInt8(1)])
        } catch {
            context.shutdown()  // Fallback: ETERM ends every blocked call on this context.
        }
    }
}

/// True for the first caller only, on any thread: makes `stop()` safe to call more than once.
final class FirstCall: Sendable {
    private let called = Mutex(false)

    func claim() -> Bool {
        called.withLock { wasCalled in
            defer { wasCalled = true }
            return !wasCalled
        }
    }
}

extension WorkerThread {
    /// Tells the worker to stop through its control endpoint and waits for its loop to end.
    func stop(context: ZMQContext, controlEndpoint: String) {
        ControlChannel.sendStop(context: context, endpoint: controlEndpoint)
        join()
    }
}
