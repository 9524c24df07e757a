import CZeroMQ

/// Reusable storage for one received multipart message, read in place without copying.
///
/// Each `zmq_msg_t` lives in heap storage that never moves while libzmq points into it. Frames
/// beyond `capacity` are still received (so the message is consumed whole) and counted in
/// ``count``, but only the first `capacity` can be read; callers that expect a fixed shape treat
/// a larger `count` as malformed. Owned by the thread that owns the socket.
public final class ZMQMultipartMessage {
    /// `capacity` readable frames, then one scratch frame for any beyond them.
    let frames: UnsafeMutablePointer<zmq_msg_t>
    public let capacity: Int
    /// Number of frames in the last message received, including any beyond `capacity`.
    public private(set) var count = 0
    /// Total bytes of the last message received.
    public private(set) var totalBytes = 0

    public init(capacity: Int = 4) {
        precondition(capacity > 0)
        self.capacity = capacity
        frames = .allocate(capacity: capacity + 1)
        for index in 0...capacity { zmq_msg_init(frames + index) }
    }

    deinit {
        for index in 0...capacity { zmq_msg_close(frames + index) }
        frames.deallocate()
    }

    /// The bytes of frame `index` (valid until the next receive).
    public subscript(index: Int) -> UnsafeRawBufferPointer {
        precondition(index < min(count, capacity), "frame \(index) of \(count)")
        let frame = frames + index
        return UnsafeRawBufferPointer(start: zmq_msg_data(frame), count: zmq_msg_size(frame))
    }

    /// The file descriptor of the connection frame `index` arrived on (ZMQ_SRCFD), or `nil` for a
    /// frame that came over no connection of its own: `inproc://`, or a frame the socket made up
    /// (an XPUB's cancels for a subscriber that left). libzmq closes that descriptor when the
    /// connection ends, after its socket monitor reported the disconnect.
    public func sourceDescriptor(of index: Int) -> Int32? {
        precondition(index < min(count, capacity), "frame \(index) of \(count)")
        let descriptor = zmq_msg_get(frames + index, ZMQ_SRCFD)
        return descriptor >= 0 ? descriptor : nil
    }

    func receive(from socket: ZMQSocket, dontWait: Bool) throws -> Bool {
        count = 0
        totalBytes = 0
        var more = true
        var first = true
        while more {
            let frame = frames + min(count, capacity)
            let flags: Int32 = (first && dontWait) ? ZMQ_DONTWAIT : 0
            let size = retryingOnInterrupt { zmq_msg_recv(frame, socket.handle, flags) }
            if size < 0 {
                let error = ZMQError.last("receive")
                if error.isWouldBlock && first { return false }
                throw error
            }
            first = false
            totalBytes += Int(size)
            more = zmq_msg_more(frame) != 0
            count += 1
        }
        return true
    }
}

@available(*, unavailable)
extension ZMQMultipartMessage: Sendable {}
