import FeedModel
import Foundation
import ZeroMQ

/// A subscriber inside the test process that keeps the exact bytes of every frame, to compare
/// what went over the wire with what the history holds.
final class RawSubscriber {
    let socket: ZMQSocket

    init(context: ZMQContext, endpoint: String, prefixes: [String] = [""]) throws {
        socket = try ZMQSocket(context, .sub)
        try socket.set(.linger, 0)
        // A SUB sends only subscriptions; libzmq drops those that do not fit its send queue when
        // it connects (1,000 by default), and a test may hold 10,000.
        try socket.set(.sendHighWaterMark, 0)
        for prefix in prefixes { try socket.set(.subscribe, Array(prefix.utf8)) }
        try socket.set(.subscribe, Array(Topic.heartbeat.rawValue.utf8))
        try socket.connect(endpoint)
    }

    /// Waits for the server's heartbeat answer to the subscription.
    func waitUntilLive(timeout: Double = 10) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            guard try socket.waitReadable(timeoutMilliseconds: 100), let frames = try socket.receiveFrames() else { continue }
            if frames.first == Array(Topic.heartbeat.rawValue.utf8) { return }
        }
        throw FixtureFailure("no heartbeat within \(timeout) s")
    }

    /// Receives `count` non-heartbeat messages as raw frames.
    func receive(count: Int, timeout: Double = 20) throws -> [[[UInt8]]] {
        var messages: [[[UInt8]]] = []
        let deadline = Date().addingTimeInterval(timeout)
        while messages.count < count {
            guard Date() < deadline else { throw FixtureFailure("received \(messages.count) of \(count) messages within \(timeout) s") }
            guard try socket.waitReadable(timeoutMilliseconds: 100), let frames = try socket.receiveFrames() else { continue }
            if frames.first != Array(Topic.heartbeat.rawValue.utf8) { messages.append(frames) }
        }
        return messages
    }
}

/// Turns NDJSON output of feed-client into dictionaries.
enum NDJSON {
    static func objects(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw FixtureFailure("not a JSON object: \(line)")
            }
            return object
        }
    }
}
