import ZeroMQ

/// Where a publishing thread sends what it publishes: the fan-out, and (when recording) the
/// blocks it hands to the recorder. Owned by the publishing thread: ``PublishingLoop`` keeps both
/// up and hands the last blocks over, its ``PublisherIntake`` publishes through it.
final class PublishOutput {
    let fanOut: FanOut
    /// `nil` without a recorder. Only the publishing thread uses it, one call at a time: no
    /// dynamic exclusivity check per message.
    @exclusivity(unchecked) var blocks: BlockBuilder?

    init(fanOut: FanOut, blocks: BlockBuilder?) {
        self.fanOut = fanOut
        self.blocks = blocks
    }

    /// Whether what is published goes to a history too.
    var records: Bool { blocks != nil }

    /// Publishes a validated message, and records it under `session`.
    func publishAndRecord(session: UInt32, topic: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer) throws {
        try fanOut.publish(topic: topic, body: body)
        blocks?.append(session: session, topic: topic, body: body)
    }
}

@available(*, unavailable)
extension PublishOutput: Sendable {}
