#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether a topic starts with any of several prefixes, in place and without allocating.
///
/// Keeps the covering prefixes (one under another given is dropped) in bytewise order. For such
/// a set, the only prefix that can match a topic is the greatest one not after it, so a match
/// is one binary search and one comparison, whatever the number of prefixes. Used by history
/// queries for every record they read and by the relay for every message it forwards.
public struct PrefixMatcher: Sendable {
    /// The covering prefixes' bytes, bytewise ascending.
    public let prefixes: [[UInt8]]
    /// True when one of the prefixes is the empty one.
    public let matchesEverything: Bool

    /// The matcher of `prefixes`; an empty list matches nothing.
    public init(_ prefixes: [TopicPrefix]) {
        self.prefixes = TopicPrefix.covering(prefixes).map { Array($0.rawValue.utf8) }
        matchesEverything = self.prefixes.first?.isEmpty ?? false
    }

    /// Whether `topic` starts with one of the prefixes.
    @inlinable
    public func matches(_ topic: UnsafeRawBufferPointer) -> Bool {
        if matchesEverything { return true }
        if prefixes.count == 1 { return prefixes[0].withUnsafeBytes { Self.starts(topic, with: $0) } }
        // The last prefix not after the topic.
        var low = 0
        var high = prefixes.count
        while low < high {
            let middle = (low + high) / 2
            if prefixes[middle].withUnsafeBytes({ Self.compare($0, topic) }) <= 0 { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return false }
        return prefixes[low - 1].withUnsafeBytes { Self.starts(topic, with: $0) }
    }

    /// Whether `topic` (a stored topic name) starts with one of the prefixes.
    public func matches(_ topic: String) -> Bool {
        var topic = topic
        return topic.withUTF8 { matches(UnsafeRawBufferPointer($0)) }
    }

    @usableFromInline
    static func starts(_ bytes: UnsafeRawBufferPointer, with prefix: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= prefix.count else { return false }
        guard prefix.count > 0, let base = bytes.baseAddress, let prefixBase = prefix.baseAddress else { return true }
        return memcmp(base, prefixBase, prefix.count) == 0
    }

    /// Bytewise order: negative, zero or positive as `left` is before, equal to or after `right`.
    @usableFromInline
    static func compare(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Int {
        let common = min(left.count, right.count)
        if common > 0, let leftBase = left.baseAddress, let rightBase = right.baseAddress {
            let order = memcmp(leftBase, rightBase, common)
            if order != 0 { return Int(order) }
        }
        return left.count - right.count
    }
}
