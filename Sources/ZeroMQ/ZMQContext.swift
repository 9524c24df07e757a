import CZeroMQ
import Synchronization

/// A libzmq context: the I/O threads and the registry of `inproc://` endpoints.
///
/// A context is thread-safe, so it is `Sendable` and shared by every thread of a process that
/// talks ZeroMQ; sockets are not (see ``ZMQSocket``). The owner of the context calls
/// ``shutdown()`` to make every blocked call on its sockets return `ETERM`, lets each thread close
/// its own sockets, and then drops the last reference, which terminates the context in `deinit`.
///
/// After a PGM socket (`epgm://`, `pgm://`) was bound or connected on a context, `zmq_ctx_term`
/// can hang forever, even with LINGER 0 (libzmq issue 822, seen on these machines). The context
/// notes that use itself (``ZMQSocket`` tells it), and its `deinit` then leaves it to process
/// exit instead of terminating it: no caller decides this. Such a context's I/O threads live
/// until the process ends, so a process should create one per run, not one per connection.
public final class ZMQContext: @unchecked Sendable {
    /// The raw handle: libzmq calls on it are made in this module only.
    let handle: UnsafeMutableRawPointer
    /// Whether a socket of this context was bound or connected to a PGM endpoint.
    private let usedPGM = Atomic<Bool>(false)

    /// Creates a context with `ioThreads` I/O threads.
    public init(ioThreads: Int32 = 1) throws {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        self.handle = handle
        if zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads) != 0 {
            throw ZMQError.last("zmq_ctx_set IO_THREADS")
        }
    }

    /// Makes every blocking call on this context's sockets return `ETERM` from now on.
    /// Thread-safe; sockets still have to be closed by their owners.
    public func shutdown() {
        _ = zmq_ctx_shutdown(handle)
    }

    /// Notes that a socket is about to be bound or connected to a PGM endpoint, before libzmq
    /// (and libpgm) see it: from then on this context is never terminated.
    func noteUse(of endpoint: String) {
        if PGMEndpoint.isPGM(endpoint) { usedPGM.store(true, ordering: .releasing) }
    }

    deinit {
        // After PGM use zmq_ctx_term can hang forever (libzmq issue 822): process exit releases it.
        if !usedPGM.load(ordering: .acquiring) {
            _ = retryingOnInterrupt { zmq_ctx_term(handle) }
        }
    }

    /// Whether libzmq was built with a transport, e.g. `"pgm"`, `"ipc"`.
    public static func has(_ capability: String) -> Bool { zmq_has(capability) == 1 }

    /// libzmq's version as `major.minor.patch`.
    public static var version: String {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }
}
