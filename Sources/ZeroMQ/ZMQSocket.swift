import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One libzmq socket, owned by exactly one thread.
///
/// libzmq sockets are not thread-safe, so this type is not `Sendable`: create it on the thread
/// that uses it, use it there, and let it go there. `deinit` closes it (with the linger set on
/// it). Errors carry libzmq's errno text; `EAGAIN` on a non-blocking call is a `false` or `nil`
/// result, not an error.
///
/// An `ipc://PATH` endpoint belongs to one socket: ``bind(_:)`` refuses a path that a live
/// socket answers on (libzmq would silently take it over), and closing removes the socket file
/// this socket created (libzmq leaves it behind).
public final class ZMQSocket {
    /// The raw handle: libzmq calls on it are made in this module only.
    let handle: UnsafeMutableRawPointer
    /// Kept so the context outlives its sockets.
    public let context: ZMQContext
    private var ipcFiles: [IPCSocketFile] = []

    public init(_ context: ZMQContext, _ type: ZMQSocketType) throws {
        guard let handle = zmq_socket(context.handle, type.rawValue) else {
            throw ZMQError.last("zmq_socket")
        }
        self.handle = handle
        self.context = context
    }

    deinit {
        zmq_close(handle)
        for file in ipcFiles { file.remove() }
    }

    // MARK: Endpoints

    /// Binds `endpoint` and returns it as bound: a wildcard TCP port (`tcp://127.0.0.1:*`) or
    /// `ipc://*` resolved to what peers connect to. An `ipc://` path that another live socket
    /// serves fails with `EADDRINUSE`, as a TCP port in use does. A PGM endpoint keeps the
    /// context from ever terminating (see ``ZMQContext``).
    @discardableResult
    public func bind(_ endpoint: String) throws -> String {
        let ipcPath = IPCSocketFile.path(of: endpoint)
        if let ipcPath, IPCSocketFile.isInUse(ipcPath) {
            throw ZMQError(code: EADDRINUSE, operation: "bind \(endpoint)")
        }
        context.noteUse(of: endpoint)
        if zmq_bind(handle, endpoint) != 0 { throw ZMQError.last("bind \(endpoint)") }
        if let ipcPath, let file = IPCSocketFile(boundAt: ipcPath) { ipcFiles.append(file) }
        return try get(.lastEndpoint)
    }

    /// Connects to `endpoint`; libzmq goes on reconnecting by itself. A PGM endpoint keeps the
    /// context from ever terminating (see ``ZMQContext``).
    public func connect(_ endpoint: String) throws {
        context.noteUse(of: endpoint)
        if zmq_connect(handle, endpoint) != 0 { throw ZMQError.last("connect \(endpoint)") }
    }

    public func disconnect(_ endpoint: String) throws {
        if zmq_disconnect(handle, endpoint) != 0 { throw ZMQError.last("disconnect \(endpoint)") }
    }

    // MARK: Options

    public func set(_ option: ZMQSocketOption<Int32>, _ value: Int32) throws {
        var value = value
        if zmq_setsockopt(handle, option.code, &value, MemoryLayout<Int32>.size) != 0 {
            throw ZMQError.last("set \(option.name)=\(value)")
        }
    }

    public func set(_ option: ZMQSocketOption<Int64>, _ value: Int64) throws {
        var value = value
        if zmq_setsockopt(handle, option.code, &value, MemoryLayout<Int64>.size) != 0 {
            throw ZMQError.last("set \(option.name)=\(value)")
        }
    }

    public func set(_ option: ZMQSocketOption<[UInt8]>, _ value: [UInt8]) throws {
        let status = value.withUnsafeBytes { zmq_setsockopt(handle, option.code, $0.baseAddress, $0.count) }
        if status != 0 { throw ZMQError.last("set \(option.name)") }
    }

    public func get(_ option: ZMQSocketOption<Int32>) throws -> Int32 {
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        if zmq_getsockopt(handle, option.code, &value, &size) != 0 { throw ZMQError.last("get \(option.name)") }
        return value
    }

    public func get(_ option: ZMQSocketOption<String>) throws -> String {
        var buffer = [CChar](repeating: 0, count: 1024)
        var size = buffer.count
        if zmq_getsockopt(handle, option.code, &buffer, &size) != 0 { throw ZMQError.last("get \(option.name)") }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    // MARK: Sending

    /// Sends one frame. Returns `false` when `dontWait` is set and the frame cannot be queued now.
    @discardableResult
    public func send(_ bytes: UnsafeRawBufferPointer, more: Bool = false, dontWait: Bool = false) throws -> Bool {
        var flags: Int32 = 0
        if more { flags |= ZMQ_SNDMORE }
        if dontWait { flags |= ZMQ_DONTWAIT }
        if retryingOnInterrupt({ zmq_send(handle, bytes.baseAddress, bytes.count, flags) }) >= 0 { return true }
        let error = ZMQError.last("send")
        if error.isWouldBlock { return false }
        throw error
    }

    /// Sends one frame from a byte array.
    @discardableResult
    public func send(_ bytes: [UInt8], more: Bool = false, dontWait: Bool = false) throws -> Bool {
        try bytes.withUnsafeBytes { try send($0, more: more, dontWait: dontWait) }
    }

    /// Sends every frame as one multipart message, all or nothing from libzmq's side.
    public func send(frames: [[UInt8]]) throws {
        for (index, frame) in frames.enumerated() {
            try send(frame, more: index < frames.count - 1)
        }
    }

    // MARK: Receiving

    /// Receives one whole multipart message into `message`, reusing its storage.
    ///
    /// Returns `false` when `dontWait` is set and nothing is waiting. The frames stay valid until
    /// the next receive into the same ``ZMQMultipartMessage``.
    @discardableResult
    public func receive(into message: ZMQMultipartMessage, dontWait: Bool = false) throws -> Bool {
        try message.receive(from: self, dontWait: dontWait)
    }

    /// Receives one multipart message as copied byte arrays (convenient, not for hot paths).
    public func receiveFrames(dontWait: Bool = false) throws -> [[UInt8]]? {
        let message = ZMQMultipartMessage(capacity: 8)
        guard try message.receive(from: self, dontWait: dontWait) else { return nil }
        return (0..<message.count).map { Array(message[$0]) }
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever) for this socket to have a message to read.
    public func waitReadable(timeoutMilliseconds: Int) throws -> Bool {
        try ZMQPoller.poll([self], timeoutMilliseconds: timeoutMilliseconds)[0]
    }
}

@available(*, unavailable)
extension ZMQSocket: Sendable {}
