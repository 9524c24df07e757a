import FeedModel

/// The per-message test of a query, applied to every record of the blocks read: the block-level
/// columns only choose which blocks to read, this decides exactly which messages match.
struct MessageFilter {
    let prefixes: PrefixMatcher
    let since: Int64?
    let until: Int64?
    let session: UInt32?
    let fromSequence: UInt64?

    /// Whether a record matches; throws when the stored body has no valid header (a corrupt file).
    @inline(__always)
    func matches(topic: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer) throws(WireError) -> Bool {
        if !prefixes.matches(topic) { return false }
        let header = try WireHeader(body)
        if let since, header.publishTime < since { return false }
        if let until, header.publishTime >= until { return false }
        if let session, header.session != session { return false }
        if let fromSequence, header.feedSequence < fromSequence { return false }
        return true
    }
}
