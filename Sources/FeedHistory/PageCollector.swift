import FeedModel

/// Gathers the matching records of the blocks visited, in order, up to the page size, and notes
/// the position of the first match past it.
///
/// A query bounded by `toSequence` is confined to one session, whose blocks hold ascending feed
/// sequences: the first match past the bound ends the query (no `next`).
struct PageCollector {
    let filter: MessageFilter
    let cursor: HistoryCursor?
    let maxMessages: Int
    let toSequence: UInt64?
    var messages: MessageBlock
    var next: HistoryCursor?

    init(filter: MessageFilter, cursor: HistoryCursor?, maxMessages: Int, toSequence: UInt64? = nil) {
        self.filter = filter
        self.cursor = cursor
        self.maxMessages = maxMessages
        self.toSequence = toSequence
        // Room for a full page of typical messages (a topic and a quote, about 80 bytes) up front,
        // so the page is not copied as it grows; capped for the huge limits of `queryAll`.
        messages = MessageBlock(reservingCapacity: min(maxMessages, 65_536) * 80)
    }

    /// Takes the matches of one block; false once the page is full and the next match found.
    mutating func visit(_ blockID: Int64, _ raw: UnsafeRawBufferPointer) throws -> Bool {
        var more = true
        try StoredBlocks.forEachRecord(in: raw, blockID: blockID) { topic, body, index, _ in
            more = try take(blockID, index, topic: topic, body: body)
            return more
        }
        return more
    }

    /// Takes one record, message `index` of block `blockID`, if it matches and is not before the
    /// cursor; false once the page is full and the next match found.
    @inline(__always)
    mutating func take(_ blockID: Int64, _ index: Int, topic: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer) throws
        -> Bool
    {
        if let cursor, blockID == cursor.blockID, index < cursor.index { return true }
        let matches: Bool
        do { matches = try filter.matches(topic: topic, body: body) } catch {
            throw StoredBlocks.Corrupt(blockID: blockID, reason: "message \(index): \(error)")
        }
        guard matches else { return true }
        // The filter has read this header already: it is valid.
        if let toSequence, let header = try? WireHeader(body), header.feedSequence > toSequence {
            next = nil
            return false
        }
        if messages.count >= maxMessages {
            next = HistoryCursor(blockID: blockID, index: index)
            return false
        }
        messages.append(topic: topic, body: body)
        return true
    }
}
