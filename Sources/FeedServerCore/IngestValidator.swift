import FeedModel
import ZeroMQ

/// Checks a producer's message before it is sequenced: two frames, a valid `VENUE.SYMBOL`
/// topic, and a body that decodes completely as a quote or trade of the current schema.
enum IngestValidator {
    /// The validated topic, or the reason to drop the message.
    static func validate(_ message: ZMQMultipartMessage) -> Result<String, WireError> {
        guard message.count == 2 else { return .failure(.wrongFrameCount(message.count)) }
        do {
            let decoded = try FeedMessage(topic: message[0], body: message[1])
            guard decoded.payload.type != .heartbeat else {
                return .failure(.invalidField("producers cannot send heartbeats"))
            }
            return .success(decoded.topic.rawValue)
        } catch {
            return .failure(error)
        }
    }
}
