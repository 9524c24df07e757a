import Foundation
import Synchronization

/// Runs a loop on a dedicated thread (never on Swift's cooperative pool, since libzmq blocks)
/// and reports its start-up result back to the caller before the loop begins.
///
/// `start` waits until `setUp` has run on the new thread: a bind that fails becomes an error of
/// `start`, not a log line from a thread nobody is watching.
final class WorkerThread: Sendable {
    private let finished = Latch()
    let name: String

    private init(name: String) { self.name = name }

    /// Starts a thread that runs `setUp` and then, if it succeeded, `run` with its result. The
    /// state is released (its sockets closed) on the thread before the worker counts as finished.
    static func start<State>(
        name: String, setUp: @escaping @Sendable () throws -> State, run: @escaping @Sendable (State) -> Void
    ) throws -> WorkerThread {
        let worker = WorkerThread(name: name)
        let started = DispatchSemaphore(value: 0)
        let failure = StartupFailure()
        let thread = Thread {
            setUpAndRun(setUp: setUp, run: run, started: started, failure: failure)
            worker.finished.open()
        }
        thread.name = name
        thread.stackSize = 4 << 20
        thread.start()
        started.wait()
        if let error = failure.error { throw error }
        return worker
    }

    /// The state lives only in here, so it is released when this returns.
    private static func setUpAndRun<State>(
        setUp: () throws -> State, run: (State) -> Void, started: DispatchSemaphore, failure: StartupFailure
    ) {
        let state: State
        do {
            state = try setUp()
        } catch {
            failure.error = error
            started.signal()
            return
        }
        started.signal()
        run(state)
    }

    /// Blocks the calling thread until the worker's loop returned.
    func join() { finished.wait() }

    /// Waits for the loop to return, for at most `milliseconds`. Returns whether it did.
    func join(timeoutMilliseconds milliseconds: Int) -> Bool { finished.wait(timeoutMilliseconds: milliseconds) }
}

/// Carries a start-up error from the worker to the starter; the semaphore orders the accesses.
private final class StartupFailure: @unchecked Sendable {
    var error: (any Error)?
}

/// Carries a value (a bound endpoint) out of a worker thread's set-up to the starting thread.
final class SetUpValue<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>
    init(_ initial: Value) { storage = Mutex(initial) }
    var value: Value {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}
