/// Encodes and decodes message bodies (``WireLayout``), never reading or writing out of bounds.
extension FeedMessage {
    /// The topic frame.
    public var topicBytes: [UInt8] { Array(topic.rawValue.utf8) }

    /// The body frame.
    public func encodedBody() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: payload.type.bodyLength) { buffer, count in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            encodeBody(into: raw)
            count = payload.type.bodyLength
        }
    }

    /// Writes the body into `buffer`, which must hold at least `payload.type.bodyLength` bytes.
    public func encodeBody(into buffer: UnsafeMutableRawBufferPointer) {
        Self.encodeBody(
            payload, session: session, feedSequence: feedSequence, topicSequence: topicSequence, eventTime: eventTime,
            publishTime: publishTime, into: buffer)
    }

    /// Writes the body of a message with these fields into `buffer`, which must hold at least
    /// `payload.type.bodyLength` bytes: ``encodeBody(into:)`` for a producer that keeps its
    /// topics as bytes and has no ``Topic`` at hand (the server's demo generator).
    public static func encodeBody(
        _ payload: Payload, session: UInt32 = 0, feedSequence: UInt64 = 0, topicSequence: UInt64 = 0, eventTime: Int64,
        publishTime: Int64 = 0, into buffer: UnsafeMutableRawBufferPointer
    ) {
        precondition(buffer.count >= payload.type.bodyLength, "buffer too small for \(payload.type)")
        buffer.storeBytes(of: WireLayout.schemaVersion, toByteOffset: WireLayout.versionOffset, as: UInt8.self)
        buffer.storeBytes(of: payload.type.rawValue, toByteOffset: WireLayout.typeOffset, as: UInt8.self)
        buffer.storeBytes(of: UInt16(0), toByteOffset: WireLayout.flagsOffset, as: UInt16.self)
        buffer.storeBytes(of: session.littleEndian, toByteOffset: WireLayout.sessionOffset, as: UInt32.self)
        buffer.storeBytes(of: feedSequence.littleEndian, toByteOffset: WireLayout.feedSequenceOffset, as: UInt64.self)
        buffer.storeBytes(of: topicSequence.littleEndian, toByteOffset: WireLayout.topicSequenceOffset, as: UInt64.self)
        buffer.storeBytes(of: eventTime.littleEndian, toByteOffset: WireLayout.eventTimeOffset, as: Int64.self)
        buffer.storeBytes(of: publishTime.littleEndian, toByteOffset: WireLayout.publishTimeOffset, as: Int64.self)
        switch payload {
        case .quote(let quote):
            buffer.storeBytes(of: quote.bidPrice.mantissa.littleEndian, toByteOffset: WireLayout.bidPriceOffset, as: Int64.self)
            buffer.storeBytes(of: quote.askPrice.mantissa.littleEndian, toByteOffset: WireLayout.askPriceOffset, as: Int64.self)
            buffer.storeBytes(of: quote.bidSize.littleEndian, toByteOffset: WireLayout.bidSizeOffset, as: UInt32.self)
            buffer.storeBytes(of: quote.askSize.littleEndian, toByteOffset: WireLayout.askSizeOffset, as: UInt32.self)
        case .trade(let trade):
            buffer.storeBytes(of: trade.price.mantissa.littleEndian, toByteOffset: WireLayout.tradePriceOffset, as: Int64.self)
            buffer.storeBytes(of: trade.size.littleEndian, toByteOffset: WireLayout.tradeSizeOffset, as: UInt32.self)
            buffer.storeBytes(of: trade.aggressor.rawValue, toByteOffset: WireLayout.aggressorOffset, as: UInt8.self)
            for offset in (WireLayout.aggressorOffset + 1)..<(WireLayout.aggressorOffset + 4) {
                buffer.storeBytes(of: UInt8(0), toByteOffset: offset, as: UInt8.self)
            }
        case .heartbeat:
            break
        }
    }

    /// Checks a message's two frames exactly as ``init(topic:body:)`` does, without building the
    /// message: the server's intake keeps the bytes and needs only the header.
    public static func validate(topic: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer) throws(WireError) -> WireHeader {
        let header = try WireHeader(body)
        let isHeartbeatTopic: Bool
        do { isHeartbeatTopic = try Topic.check(topic) } catch { throw .invalidTopic(error) }
        if header.type == .trade {
            let sideByte = body.load(fromByteOffset: WireLayout.aggressorOffset, as: UInt8.self)
            guard AggressorSide(rawValue: sideByte) != nil else { throw .invalidField("aggressor side \(sideByte)") }
        }
        guard isHeartbeatTopic == (header.type == .heartbeat) else {
            throw .invalidField("\(header.type) on topic \(String(decoding: topic, as: UTF8.self))")
        }
        return header
    }

    /// Decodes a message from its two frames.
    public init(topic topicFrame: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer) throws(WireError) {
        let header = try Self.validate(topic: topicFrame, body: body)
        let topic = header.type == .heartbeat ? Topic.heartbeat : Topic(checkedBytes: topicFrame)
        let payload: Payload =
            switch header.type {
            case .quote:
                .quote(
                    Quote(
                        bidPrice: Price(mantissa: body.int64(at: WireLayout.bidPriceOffset)),
                        askPrice: Price(mantissa: body.int64(at: WireLayout.askPriceOffset)),
                        bidSize: body.uint32(at: WireLayout.bidSizeOffset),
                        askSize: body.uint32(at: WireLayout.askSizeOffset)))
            case .trade:
                .trade(
                    Trade(
                        price: Price(mantissa: body.int64(at: WireLayout.tradePriceOffset)),
                        size: body.uint32(at: WireLayout.tradeSizeOffset),
                        aggressor: AggressorSide(rawValue: body.load(fromByteOffset: WireLayout.aggressorOffset, as: UInt8.self))!))
            case .heartbeat:
                .heartbeat
            }
        self.init(
            topic: topic, session: header.session, feedSequence: header.feedSequence,
            topicSequence: header.topicSequence, eventTime: header.eventTime, publishTime: header.publishTime,
            payload: payload)
    }

    /// Decodes a message from two byte arrays.
    public init(topic: [UInt8], body: [UInt8]) throws(WireError) {
        let result = topic.withUnsafeBytes { topicBytes in
            body.withUnsafeBytes { bodyBytes in
                Result { () throws(WireError) in try FeedMessage(topic: topicBytes, body: bodyBytes) }
            }
        }
        self = try result.get()
    }
}

/// The fixed header of a body, checked: version known, type known, length exact for the type.
///
/// Cheap enough for the server's hot path, which stamps sequence numbers with ``stamp(_:session:feedSequence:topicSequence:publishTime:)``
/// without decoding the rest.
public struct WireHeader: Sendable, Equatable {
    public let type: MessageType
    public let session: UInt32
    public let feedSequence: UInt64
    public let topicSequence: UInt64
    public let eventTime: Int64
    public let publishTime: Int64

    public init(_ body: UnsafeRawBufferPointer) throws(WireError) {
        guard body.count <= WireLayout.maximumBodyLength else {
            throw .oversized(limit: WireLayout.maximumBodyLength, actual: body.count)
        }
        guard body.count >= WireLayout.headerLength else {
            throw .tooShort(expected: WireLayout.headerLength, actual: body.count)
        }
        let version = body.load(fromByteOffset: WireLayout.versionOffset, as: UInt8.self)
        guard version == WireLayout.schemaVersion else { throw .unsupportedVersion(version) }
        let typeByte = body.load(fromByteOffset: WireLayout.typeOffset, as: UInt8.self)
        guard let type = MessageType(rawValue: typeByte) else { throw .unknownMessageType(typeByte) }
        guard body.count == type.bodyLength else {
            throw .wrongLength(type: type, expected: type.bodyLength, actual: body.count)
        }
        self.type = type
        session = body.uint32(at: WireLayout.sessionOffset)
        feedSequence = body.uint64(at: WireLayout.feedSequenceOffset)
        topicSequence = body.uint64(at: WireLayout.topicSequenceOffset)
        eventTime = body.int64(at: WireLayout.eventTimeOffset)
        publishTime = body.int64(at: WireLayout.publishTimeOffset)
    }

    /// Writes the sequencer's fields into an encoded body in place.
    public static func stamp(
        _ body: UnsafeMutableRawBufferPointer, session: UInt32, feedSequence: UInt64, topicSequence: UInt64,
        publishTime: Int64
    ) {
        precondition(body.count >= WireLayout.headerLength)
        body.storeBytes(of: session.littleEndian, toByteOffset: WireLayout.sessionOffset, as: UInt32.self)
        body.storeBytes(of: feedSequence.littleEndian, toByteOffset: WireLayout.feedSequenceOffset, as: UInt64.self)
        body.storeBytes(of: topicSequence.littleEndian, toByteOffset: WireLayout.topicSequenceOffset, as: UInt64.self)
        body.storeBytes(of: publishTime.littleEndian, toByteOffset: WireLayout.publishTimeOffset, as: Int64.self)
    }

    /// Sets the event time in place (the server fills it when a producer left it zero).
    public static func stampEventTime(_ body: UnsafeMutableRawBufferPointer, _ eventTime: Int64) {
        body.storeBytes(of: eventTime.littleEndian, toByteOffset: WireLayout.eventTimeOffset, as: Int64.self)
    }
}

/// Why a received message was rejected.
public enum WireError: Error, Equatable, Sendable, CustomStringConvertible {
    case wrongFrameCount(Int)
    case oversized(limit: Int, actual: Int)
    case tooShort(expected: Int, actual: Int)
    case wrongLength(type: MessageType, expected: Int, actual: Int)
    case unsupportedVersion(UInt8)
    case unknownMessageType(UInt8)
    case invalidTopic(TopicError)
    case invalidField(String)

    public var description: String {
        switch self {
        case .wrongFrameCount(let count): "expected 2 frames [topic][body], got \(count)"
        case .oversized(let limit, let actual): "body is \(actual) bytes, longer than the longest message (\(limit))"
        case .tooShort(let expected, let actual): "body is \(actual) bytes, shorter than the \(expected)-byte header"
        case .wrongLength(let type, let expected, let actual): "\(type) body must be \(expected) bytes, got \(actual)"
        case .unsupportedVersion(let version): "unsupported schema version \(version)"
        case .unknownMessageType(let type): "unknown message type \(type)"
        case .invalidTopic(let error): "invalid topic: \(error)"
        case .invalidField(let what): "invalid field: \(what)"
        }
    }

    /// A short stable name for counting rejects by kind.
    public var kind: String {
        switch self {
        case .wrongFrameCount: "wrong_frame_count"
        case .oversized: "oversized"
        case .tooShort: "too_short"
        case .wrongLength: "wrong_length"
        case .unsupportedVersion: "unsupported_version"
        case .unknownMessageType: "unknown_type"
        case .invalidTopic: "invalid_topic"
        case .invalidField: "invalid_field"
        }
    }
}

extension UnsafeRawBufferPointer {
    @inline(__always) func int64(at offset: Int) -> Int64 {
        Int64(littleEndian: loadUnaligned(fromByteOffset: offset, as: Int64.self))
    }
    @inline(__always) func uint64(at offset: Int) -> UInt64 {
        UInt64(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
    @inline(__always) func uint32(at offset: Int) -> UInt32 {
        UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
}
