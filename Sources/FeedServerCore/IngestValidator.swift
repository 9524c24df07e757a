import FeedModel
import ZeroMQ

/// Checks a producer's message before it is sequenced: two frames, a valid `VENUE.SYMBOL`
/// topic, and a body that decodes completely as a quote or trade of the current schema.
enum IngestValidator {
    /// The message's header, or the reason to drop the message. Reads the frames in place.
    static func validate(_ message: ZMQMultipartMessage) -> Result<WireHeader, WireError> {
        guard message.count == 2 else { return .failure(.wrongFrameCount(message.count)) }
        do {
            let header = try FeedMessage.validate(topic: message[0], body: message[1])
            guard header.type != .heartbeat else {
                return .failure(.invalidField("producers cannot send heartbeats"))
            }
            return .success(header)
        } catch {
            return .failure(error)
        }
    }
}
