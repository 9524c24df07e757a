import CZeroMQ

/// A libzmq context: the I/O threads and the registry of `inproc://` endpoints.
///
/// A context is thread-safe, so it is `Sendable` and shared by every thread of a process that
/// talks ZeroMQ; sockets are not (see ``ZMQSocket``). The owner of the context calls
/// ``shutdown()`` to make every blocked call on its sockets return `ETERM`, lets each thread close
/// its own sockets, and then drops the last reference, which terminates the context in `deinit`.
///
/// After a PGM socket (`epgm://`, `pgm://`) was used on a context, `zmq_ctx_term` can hang
/// forever, even with LINGER 0 (libzmq issue 822). Create every context that PGM sockets use
/// with `terminatesOnDeinit: false`, and let process exit release it.
public final class ZMQContext: @unchecked Sendable {
    /// The raw handle, for calls this wrapper does not cover.
    public let handle: UnsafeMutableRawPointer
    private let terminatesOnDeinit: Bool

    /// Creates a context.
    ///
    /// - Parameter terminatesOnDeinit: `false` leaves the context to the operating system at
    ///   process exit instead of calling `zmq_ctx_term`, which can hang forever after a PGM socket
    ///   was used (libzmq issue 822). Only a process that is about to exit should choose `false`.
    public init(ioThreads: Int32 = 1, terminatesOnDeinit: Bool = true) throws {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        self.handle = handle
        self.terminatesOnDeinit = terminatesOnDeinit
        if zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads) != 0 {
            throw ZMQError.last("zmq_ctx_set IO_THREADS")
        }
    }

    /// Makes every blocking call on this context's sockets return `ETERM` from now on.
    /// Thread-safe; sockets still have to be closed by their owners.
    public func shutdown() {
        _ = zmq_ctx_shutdown(handle)
    }

    deinit {
        if terminatesOnDeinit {
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
