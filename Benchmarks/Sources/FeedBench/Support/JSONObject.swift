import Foundation

/// One line of JSON printed by a benchmark program, read by field name.
struct JSONObject {
    private let fields: [String: Any]
    private let source: String

    init(_ line: String, from source: String) throws {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw BenchFailure("\(source) printed something that is not a JSON object: \(line)")
        }
        fields = object
        self.source = source
    }

    private init(fields: [String: Any], source: String) {
        self.fields = fields
        self.source = source
    }

    /// A number field; fails naming the program when it is missing.
    func number(_ name: String) throws -> Double {
        guard let value = fields[name] as? NSNumber else { throw BenchFailure("\(source): no number '\(name)' in its result") }
        return value.doubleValue
    }

    /// A nested object field.
    func object(_ name: String) throws -> JSONObject {
        guard let value = fields[name] as? [String: Any] else { throw BenchFailure("\(source): no object '\(name)' in its result") }
        return JSONObject(fields: value, source: "\(source).\(name)")
    }

    /// A string field, nil when missing.
    func string(_ name: String) -> String? { fields[name] as? String }

    func bool(_ name: String) -> Bool { (fields[name] as? NSNumber)?.boolValue ?? false }
}

/// Prints one JSON object on a line of stdout: how the helper commands report.
func printJSON(_ fields: KeyValuePairs<String, any Sendable>) {
    var object: [String: Any] = [:]
    for (key, value) in fields { object[key] = value }
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}
