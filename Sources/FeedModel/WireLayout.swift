/// Byte offsets of the message body (schema version 1), all integers little-endian.
///
/// This is the single source of the layout that `schemas/feed-v1.xml` documents:
///
/// | offset | size | field            | notes                                   |
/// |-------:|-----:|------------------|-----------------------------------------|
/// | 0      | 1    | schema_version   | 1                                       |
/// | 1      | 1    | message_type     | 1 quote, 2 trade, 3 heartbeat           |
/// | 2      | 2    | flags            | 0; reserved                             |
/// | 4      | 4    | session_id       | u32, one per publisher run              |
/// | 8      | 8    | feed_seq         | u64                                     |
/// | 16     | 8    | topic_seq        | u64 (0 in heartbeats)                   |
/// | 24     | 8    | event_time_ns    | i64 since 1970-01-01T00:00:00Z          |
/// | 32     | 8    | publish_time_ns  | i64                                     |
/// | 40     | ...  | type-specific    | quote 24 bytes, trade 16, heartbeat 0   |
public enum WireLayout {
    public static let schemaVersion: UInt8 = 1
    public static let headerLength = 40
    /// Longest body of any type: what a receiver's `ZMQ_MAXMSGSIZE` has to allow.
    public static let maximumBodyLength = MessageType.allCases.map(\.bodyLength).max()!

    static let versionOffset = 0
    static let typeOffset = 1
    static let flagsOffset = 2
    static let sessionOffset = 4
    static let feedSequenceOffset = 8
    static let topicSequenceOffset = 16
    static let eventTimeOffset = 24
    static let publishTimeOffset = 32

    // Quote, after the header.
    static let bidPriceOffset = 40
    static let askPriceOffset = 48
    static let bidSizeOffset = 56
    static let askSizeOffset = 60

    // Trade, after the header.
    static let tradePriceOffset = 40
    static let tradeSizeOffset = 48
    static let aggressorOffset = 52
    // 53..<56 are padding, zero.
}
