import FeedModel
import Testing

/// The records of a block as (topic, body) arrays, or the error that stopped the walk.
private func records(of block: MessageBlock) -> (records: [([UInt8], [UInt8])], error: WireError?) {
    var seen: [([UInt8], [UInt8])] = []
    do {
        try block.forEach { topic, body in
            seen.append((Array(topic), Array(body)))
            return true
        }
        return (seen, nil)
    } catch let error as WireError {
        return (seen, error)
    } catch {
        Issue.record("forEach threw a non-WireError: \(error)")
        return (seen, nil)
    }
}

private func threeMessageBlock() -> MessageBlock {
    var block = MessageBlock()
    for message in Samples.ordinary { block.append(topic: message.topicBytes, body: message.encodedBody()) }
    return block
}

@Suite("MessageBlock")
struct MessageBlockTests {
    @Test("appended frames come back from forEach byte for byte, in order")
    func appendForEachRoundTrip() throws {
        var block = MessageBlock(reservingCapacity: 256)
        #expect(block.isEmpty)
        let frames = Samples.all.map { ($0.topicBytes, $0.encodedBody()) } + [([UInt8](), [UInt8]()), (Array("x".utf8), [1, 2, 3])]
        for (topic, body) in frames { block.append(topic: topic, body: body) }
        #expect(block.count == frames.count)
        #expect(!block.isEmpty)
        let (seen, error) = records(of: block)
        #expect(error == nil)
        #expect(seen.map(\.0) == frames.map(\.0))
        #expect(seen.map(\.1) == frames.map(\.1))
    }

    @Test("records are u16 LE topic length, topic, u16 LE body length, body")
    func layoutByHand() {
        var block = MessageBlock()
        block.append(Samples.quote)
        let body = Samples.quote.encodedBody()
        #expect(block.bytes == [11, 0] + Array("NASDAQ.AAPL".utf8) + [64, 0] + body)

        var long = MessageBlock()
        long.append(topic: [UInt8](repeating: 0x41, count: 256), body: [UInt8](repeating: 7, count: 300))
        #expect(Array(long.bytes[0..<2]) == [0x00, 0x01])
        #expect(Array(long.bytes[258..<260]) == [0x2C, 0x01])
        #expect(long.bytes.count == 2 + 256 + 2 + 300)
        let (seen, error) = records(of: long)
        #expect(error == nil)
        #expect(seen.count == 1 && seen[0].0.count == 256 && seen[0].1.count == 300)
    }

    @Test("appending a message encodes it like appending its frames")
    func appendMessage() throws {
        var byMessage = MessageBlock()
        var byFrames = MessageBlock()
        for message in Samples.all {
            byMessage.append(message)
            byFrames.append(topic: message.topicBytes, body: message.encodedBody())
        }
        #expect(byMessage == byFrames)
        #expect(try byMessage.decoded() == Samples.all)
    }

    @Test("bytes read back from storage decode like the original block")
    func adoptStoredBytes() throws {
        let block = threeMessageBlock()
        let stored = MessageBlock(bytes: block.bytes, count: block.count)
        #expect(stored == block)
        #expect(try stored.decoded() == Samples.ordinary)
    }

    @Test("append(contentsOf:) concatenates and removeAll empties")
    func concatenateAndClear() throws {
        var block = threeMessageBlock()
        block.append(contentsOf: threeMessageBlock())
        #expect(block.count == 6)
        #expect(try block.decoded() == Samples.ordinary + Samples.ordinary)
        block.removeAll()
        #expect(block.isEmpty && block.bytes.isEmpty)
        #expect(try block.decoded() == [])
        block.append(Samples.trade)
        #expect(try block.decoded() == [Samples.trade])
    }

    @Test("a block cut at every byte position throws instead of reading past its end")
    func truncatedAtEveryByte() throws {
        let full = threeMessageBlock()
        let recordLengths = Samples.ordinary.map { 2 + $0.topicBytes.count + 2 + $0.payload.type.bodyLength }
        #expect(recordLengths == [79, 70, 47])
        let boundaries = [0, 79, 149]
        #expect(full.bytes.count == 196)
        let originals = Samples.ordinary.map { ($0.topicBytes, $0.encodedBody()) }
        for cut in 0..<full.bytes.count {
            let truncated = MessageBlock(bytes: Array(full.bytes[..<cut]), count: 3)
            let (seen, error) = records(of: truncated)
            let complete = boundaries.lastIndex { $0 <= cut }!
            // Only the records wholly inside the cut are delivered, unchanged.
            #expect(seen.count == complete, "cut at \(cut)")
            for (index, record) in seen.enumerated() {
                #expect(record.0 == originals[index].0 && record.1 == originals[index].1, "cut at \(cut)")
            }
            if boundaries.contains(cut) {
                // A cut between records leaves a well-formed block holding fewer messages than it says.
                #expect(error == .invalidField("block says 3 messages, holds \(complete)"), "cut at \(cut)")
            } else {
                guard case .tooShort(let expected, let actual) = error else {
                    Issue.record("cut at \(cut): \(String(describing: error))")
                    continue
                }
                #expect(actual == cut)
                #expect(expected > cut && expected <= full.bytes.count, "cut at \(cut)")
            }
            #expect(throws: WireError.self) { try truncated.decoded() }
        }
    }

    @Test("lengths that point past the end throw, for any garbage tail")
    func lengthsPastTheEnd() {
        let cases: [[UInt8]] = [
            [0x01],  // half a topic length
            [0xFF, 0xFF],  // topic of 65535 bytes, none present
            [0x01, 0x00, 0x41],  // topic present, no body length
            [0x01, 0x00, 0x41, 0x05],  // half a body length
            [0x01, 0x00, 0x41, 0x05, 0x00, 1, 2, 3, 4],  // body one byte short
            [0x00, 0x00, 0xFF, 0xFF],  // empty topic, body of 65535 bytes missing
        ]
        for bytes in cases {
            let (_, error) = records(of: MessageBlock(bytes: bytes, count: 1))
            guard case .tooShort(_, let actual) = error else {
                Issue.record("\(bytes): \(String(describing: error))")
                continue
            }
            #expect(actual == bytes.count)
        }
    }

    @Test("a count that disagrees with the records is detected")
    func countMismatch() {
        let block = threeMessageBlock()
        for wrongCount in [0, 2, 4, 100] {
            let (seen, error) = records(of: MessageBlock(bytes: block.bytes, count: wrongCount))
            #expect(seen.count == 3)
            #expect(error == .invalidField("block says \(wrongCount) messages, holds 3"))
        }
        #expect(records(of: MessageBlock(bytes: [], count: 1)).error == .invalidField("block says 1 messages, holds 0"))
        #expect(records(of: MessageBlock(bytes: [], count: 0)).error == nil)
    }

    @Test("returning false stops the walk early, without looking at the rest")
    func earlyStop() throws {
        let block = threeMessageBlock()
        var visited = 0
        try block.forEach { _, _ in
            visited += 1
            return visited < 2
        }
        #expect(visited == 2)
        // The rest is not examined: a garbage tail and a wrong count go unnoticed by an early stop.
        let damaged = MessageBlock(bytes: block.bytes + [0x09], count: 7)
        visited = 0
        try damaged.forEach { _, _ in
            visited += 1
            return false
        }
        #expect(visited == 1)
        #expect(records(of: damaged).error == .tooShort(expected: 198, actual: 197))
    }

    @Test("errors thrown by the visitor propagate")
    func visitorErrorsPropagate() {
        struct Stop: Error {}
        #expect(throws: Stop.self) { try threeMessageBlock().forEach { _, _ in throw Stop() } }
    }

    @Test("decoded() reports the first invalid message with its wire error")
    func decodedRejectsInvalidMessages() {
        var block = threeMessageBlock()
        block.append(topic: Array("NASDAQ.AAPL".utf8), body: body(type: 1, length: 63))
        #expect(throws: WireError.wrongLength(type: .quote, expected: 64, actual: 63)) { try block.decoded() }
        var badTopic = MessageBlock()
        badTopic.append(topic: Array("nasdaq.aapl".utf8), body: Samples.quote.encodedBody())
        #expect(throws: WireError.invalidTopic(.badVenue("nasdaq.aapl"))) { try badTopic.decoded() }
    }

    @Test("every topic and body handed out lies inside the block's bytes")
    func viewsStayInBounds() throws {
        let block = threeMessageBlock()
        let (base, count) = block.bytes.withUnsafeBytes { (UInt(bitPattern: $0.baseAddress), $0.count) }
        try block.forEach { topic, body in
            for view in [topic, body] {
                let start = UInt(bitPattern: view.baseAddress)
                #expect(start >= base && start + UInt(view.count) <= base + UInt(count))
            }
            return true
        }
    }
}
