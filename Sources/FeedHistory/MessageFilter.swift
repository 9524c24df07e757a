import FeedModel

/// The per-message test of a query, applied to every record of the blocks read: the block-level
/// columns only choose which blocks to read, this decides exactly which messages match.
struct MessageFilter {
    /// The query's prefixes as ``FeedModel/TopicPrefix/covering(_:)`` gives them (bytewise
    /// order, none under another); empty for everything.
    let prefixes: [[UInt8]]
    let since: Int64?
    let until: Int64?
    let session: UInt32?
    let fromSequence: UInt64?

    /// Whether a record matches; throws when the stored body has no valid header (a corrupt file).
    @inline(__always)
    func matches(topic: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer) throws(WireError) -> Bool {
        if !prefixes.isEmpty, !startsWithAnyPrefix(topic) { return false }
        let header = try WireHeader(body)
        if let since, header.publishTime < since { return false }
        if let until, header.publishTime >= until { return false }
        if let session, header.session != session { return false }
        if let fromSequence, header.feedSequence < fromSequence { return false }
        return true
    }

    /// Whether `topic` starts with one of the prefixes. Only the last prefix not after the topic
    /// can: a prefix of the topic sorts at or before it, and a prefix between the two would
    /// start with that one, which ``FeedModel/TopicPrefix/covering(_:)`` rules out. A binary search.
    @inline(__always)
    private func startsWithAnyPrefix(_ topic: UnsafeRawBufferPointer) -> Bool {
        var low = 0
        var high = prefixes.count  // The first prefix after the topic is at `high` or before.
        while low < high {
            let middle = (low + high) / 2
            if topic.lexicographicallyPrecedes(prefixes[middle]) { high = middle } else { low = middle + 1 }
        }
        return low > 0 && prefixes[low - 1].withUnsafeBytes { topic.bytesStart(with: $0) }
    }
}
