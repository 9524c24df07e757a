import FeedModel
import Foundation

/// Reads a replay request frame strictly, so that every mistake gets a reply naming it: not
/// JSON, an unknown field or operation, a field of the wrong type or out of range, or a field
/// that does not apply to the operation.
///
/// Foundation's `JSONDecoder` reports an out-of-range number (`"from_seq":-5`) as "not valid
/// JSON" with no field name, so the frame is read with `JSONSerialization` and checked field by
/// field instead. `JSONSerialization` keeps the last of repeated keys silently, so the keys are
/// also read from the bytes (``JSONObjectKeys``) and a repeated one is an error naming it.
enum ReplayRequestReader {
    /// The `id` of a request, if it can be read at all and is given once: echoed even in an
    /// error reply.
    static func id(in bytes: [UInt8]) -> UInt64? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
            let value = object[ReplayRequest.CodingKeys.id.rawValue], !isBoolean(value),
            let keys = try? JSONObjectKeys.scan(bytes), keys.count(where: { $0 == ReplayRequest.CodingKeys.id.rawValue }) == 1
        else { return nil }
        return value as? UInt64
    }

    /// The request in `bytes`, or a one-line reason why it is not one.
    static func read(_ bytes: [UInt8]) throws(ReplayRequestError) -> ReplayRequest {
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: Data(bytes)) } catch { throw ReplayRequestError("not JSON") }
        guard let object = parsed as? [String: Any] else { throw ReplayRequestError("not a JSON object") }
        let keys: [String]
        do { keys = try JSONObjectKeys.scan(bytes) } catch { throw ReplayRequestError("not JSON: \(error)") }
        if let repeated = JSONObjectKeys.firstRepeat(keys) {
            throw ReplayRequestError("duplicate field '\(repeated.prefix(60))': each field may be given once")
        }
        let fields = Fields(object)
        let known = Set(ReplayRequest.CodingKeys.allCases.map(\.rawValue))
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw ReplayRequestError("unknown field '\(unknown)'")
        }
        guard let opName = try fields.string(.op) else { throw ReplayRequestError("missing field 'op'") }
        guard let op = ReplayRequest.Operation(rawValue: opName) else {
            throw ReplayRequestError("unknown op '\(opName)': expected history, snapshot or status")
        }
        let request = ReplayRequest(
            op: op, prefix: try fields.string(.prefix), prefixes: try fields.strings(.prefixes),
            since: try fields.integer(.since, Int64.self), until: try fields.integer(.until, Int64.self),
            fromSeq: try fields.integer(.fromSeq, UInt64.self), toSeq: try fields.integer(.toSeq, UInt64.self),
            session: try fields.integer(.session, UInt32.self), limit: try fields.integer(.limit, Int.self),
            cursor: try fields.string(.cursor), pageSize: try fields.integer(.pageSize, Int.self),
            id: try fields.integer(.id, UInt64.self))
        try checkApplies(request, fields: object.keys)
        return request
    }

    /// Fields each operation takes besides `op` and `id`.
    private static let applicable: [ReplayRequest.Operation: Set<ReplayRequest.CodingKeys>] = [
        .history: [.prefix, .prefixes, .since, .until, .fromSeq, .toSeq, .session, .limit, .cursor, .pageSize],
        .snapshot: [.prefix, .prefixes, .until, .cursor, .pageSize],
        .status: [],
    ]

    private static func checkApplies(_ request: ReplayRequest, fields: Dictionary<String, Any>.Keys) throws(ReplayRequestError) {
        let allowed = Set((applicable[request.op] ?? []).map(\.rawValue) + ["op", "id"])
        if let extra = fields.sorted().first(where: { !allowed.contains($0) }) {
            throw ReplayRequestError("'\(extra)' does not apply to op '\(request.op.rawValue)'")
        }
    }

    /// Typed access to the fields of a JSON object, with the field's name in every error.
    private struct Fields {
        let object: [String: Any]
        init(_ object: [String: Any]) { self.object = object }

        func string(_ key: ReplayRequest.CodingKeys) throws(ReplayRequestError) -> String? {
            guard let value = object[key.rawValue], !(value is NSNull) else { return nil }
            guard let text = value as? String else { throw ReplayRequestError("bad field '\(key.rawValue)': expected a string") }
            return text
        }

        func strings(_ key: ReplayRequest.CodingKeys) throws(ReplayRequestError) -> [String]? {
            guard let value = object[key.rawValue], !(value is NSNull) else { return nil }
            guard let list = value as? [Any], let texts = list as? [String] else {
                throw ReplayRequestError("bad field '\(key.rawValue)': expected a list of strings, got \(Self.show(value))")
            }
            return texts
        }

        func integer<Value: FixedWidthInteger>(_ key: ReplayRequest.CodingKeys, _ type: Value.Type) throws(ReplayRequestError) -> Value? {
            guard let value = object[key.rawValue], !(value is NSNull) else { return nil }
            if !isBoolean(value), let number = value as? Value { return number }
            throw ReplayRequestError(
                "bad field '\(key.rawValue)': expected an integer from \(Value.min) to \(Value.max), got \(Self.show(value))")
        }

        private static func show(_ value: Any) -> String {
            if isBoolean(value) { return "a boolean" }
            return switch value {
            case let text as String: "the string '\(text.prefix(40))'"
            case let list as [Any]: list.contains { !($0 is String) } ? "a list holding a non-string" : "a list"
            case let number as NSNumber: number.stringValue
            default: "a JSON object"
            }
        }
    }
}

/// Whether a value `JSONSerialization` produced is `true` or `false`: those bridge to `Bool`
/// and to integers, and so do the numbers 0 and 1, so the number's type code tells them apart.
private func isBoolean(_ value: Any) -> Bool {
    guard let number = value as? NSNumber else { return false }
    return String(cString: number.objCType) == "c"
}

/// A request the replay service cannot serve, with the reason.
struct ReplayRequestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
