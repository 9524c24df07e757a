import CZeroMQ

extension ZMQMultipartMessage {
    /// The `User-Id` a ZAP handler gave the connection frame `index` arrived on
    /// (`zmq_msg_gets`), or `nil` when it came over a connection no ZAP handler answered for
    /// (no CURVE, or `inproc://`).
    public func userID(of index: Int) -> String? {
        precondition(index < min(count, capacity), "frame \(index) of \(count)")
        guard let value = zmq_msg_gets(frames + index, "User-Id") else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }
}
