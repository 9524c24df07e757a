import FeedModel

/// What the recorder stores about one block besides its bytes: its `blocks` row, computed by
/// reading every message header once, and its topics' ids (new topics are added to the dictionary).
struct BlockSummary {
    /// Lowest/highest values over a set of messages.
    struct Range {
        var firstSequence: UInt64
        var lastSequence: UInt64
        var firstTime: Int64
        var lastTime: Int64
        var count: Int

        init(sequence: UInt64, time: Int64) {
            firstSequence = sequence
            lastSequence = sequence
            firstTime = time
            lastTime = time
            count = 1
        }

        @inline(__always)
        mutating func add(sequence: UInt64, time: Int64) {
            firstSequence = min(firstSequence, sequence)
            lastSequence = max(lastSequence, sequence)
            firstTime = min(firstTime, time)
            lastTime = max(lastTime, time)
            count += 1
        }
    }

    var session: UInt32
    /// Over all messages: feed sequence numbers and publish times.
    var block: Range
    /// The topic id of each message, in order.
    var topicIDs: [UInt32]

    /// Reads and checks every message of `block` (lengths, header, topic, one session), adding
    /// topics not seen before to `dictionary`. Nil for an empty block.
    ///
    /// - Parameter number: the block's position in the batch, for error messages.
    init?(_ block: MessageBlock, number: Int, dictionary: inout TopicDictionary) throws(HistoryError) {
        var session: UInt32 = 0
        var blockRange: Range?
        var seen = 0
        var topicIDs: [UInt32] = []
        topicIDs.reserveCapacity(block.count)
        let result: Result<Void, HistoryError> = block.bytes.withUnsafeBytes { raw in
            var records = BlockRecords(raw)
            while true {
                let found: (topic: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer)?
                do throws(HistoryError) {
                    found = try records.next(or: { Self.malformed(number, seen, "truncated record at byte \($0.offset) of \(raw.count)") })
                } catch {
                    return .failure(error)
                }
                guard let record = found else { break }
                let header: WireHeader
                do { header = try WireHeader(record.body) } catch {
                    return .failure(Self.malformed(number, seen, "\(error)"))
                }
                let (topicID, inserted) = dictionary.id(of: record.topic)
                if inserted {
                    do { _ = try Topic(bytes: record.topic) } catch {
                        return .failure(Self.malformed(number, seen, "\(error)"))
                    }
                }
                topicIDs.append(UInt32(topicID))
                if blockRange == nil {
                    session = header.session
                    blockRange = Range(sequence: header.feedSequence, time: header.publishTime)
                } else {
                    guard header.session == session else {
                        return .failure(Self.malformed(number, seen, "session \(header.session) in a block of session \(session)"))
                    }
                    blockRange!.add(sequence: header.feedSequence, time: header.publishTime)
                }
                seen += 1
            }
            return .success(())
        }
        try result.get()
        guard seen == block.count else {
            throw Self.malformed(number, nil, "it says \(block.count) messages but holds \(seen)")
        }
        guard let blockRange else { return nil }
        self.session = session
        self.block = blockRange
        self.topicIDs = topicIDs
    }

    private static func malformed(_ number: Int, _ message: Int?, _ reason: String) -> HistoryError {
        let place = message.map { "block \(number), message \($0)" } ?? "block \(number)"
        return HistoryError(.malformedBlock, "malformed \(place): \(reason); nothing was written")
    }
}
