import FeedModel
import ZeroMQ

/// Where a publishing thread sends what it publishes: the fan-out, and (when recording) the
/// history: plain blocks handed to the recorder (the server), or a relay's ``RelayRecording``
/// around them, which keeps each origin session in order and fills its gaps. Owned by the
/// publishing thread: ``PublishingLoop`` keeps both up and hands the last blocks over, its
/// ``PublisherIntake`` publishes through it.
final class PublishOutput {
    let fanOut: FanOut
    /// The server's blocks; `nil` without a recorder or for a relay. Only the publishing thread
    /// uses it, one call at a time: no dynamic exclusivity check per message.
    @exclusivity(unchecked) private var blocks: BlockBuilder?
    /// A recording relay's history.
    let relayRecording: RelayRecording?

    init(fanOut: FanOut, blocks: BlockBuilder?, relayRecording: RelayRecording? = nil) {
        self.fanOut = fanOut
        self.blocks = blocks
        self.relayRecording = relayRecording
    }

    /// Whether what is published goes to a history too.
    var records: Bool { blocks != nil || relayRecording != nil }

    /// Publishes a validated message, and records it under `session` (the server's path).
    func publishAndRecord(session: UInt32, topic: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer) throws {
        try fanOut.publish(topic: topic, body: body)
        blocks?.append(session: session, topic: topic, body: body)
    }

    /// When a partly filled block (or a relay's look for fills) is due next.
    var nextDeadline: Int64? { blocks?.nextDeadline ?? relayRecording?.nextDeadline }

    /// Hands the blocks due to the recorder.
    func flushDue(now: Int64) {
        blocks?.flushDue(now: now)
        relayRecording?.flushDue()
    }

    /// Hands every block to the recorder.
    func flushAll() {
        blocks?.flushAll()
        relayRecording?.flushAll()
    }
}

@available(*, unavailable)
extension PublishOutput: Sendable {}
