import CZeroMQ

#if canImport(Glibc)
import Glibc
#endif

/// A libzmq call that failed, with libzmq's own errno and text.
///
/// `operation` names what was attempted (`"bind tcp://127.0.0.1:5556"`), so the message a user
/// reads says both what failed and why (`"bind tcp://127.0.0.1:5556: Address already in use"`).
public struct ZMQError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The errno value libzmq reported.
    public let code: Int32
    /// What was being attempted when it failed.
    public let operation: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    /// The error of the last failed libzmq call on this thread.
    static func last(_ operation: @autoclosure () -> String) -> ZMQError {
        ZMQError(code: zmq_errno(), operation: operation())
    }

    /// libzmq's text for `code`.
    public var reason: String { String(cString: zmq_strerror(code)) }

    public var description: String { "\(operation): \(reason)" }

    /// The context was shut down or terminated: blocked calls return this so threads can exit.
    public var isContextTerminated: Bool { code == ETERM }
    /// Non-blocking call that had nothing to do: not a failure.
    public var isWouldBlock: Bool { code == EAGAIN }
}

/// Calls a libzmq function again while a signal interrupts it (EINTR): the one retry loop of
/// the module. Returns the last call's result, negative with `zmq_errno()` set on a failure.
@inline(__always)
func retryingOnInterrupt(_ call: () -> Int32) -> Int32 {
    while true {
        let result = call()
        if result >= 0 || zmq_errno() != EINTR { return result }
    }
}
