import FeedModel
import Testing

/// Topics looked up by their bytes: dense ids in order of insertion, stable as the table grows.
struct TopicTableTests {
    private static func insert(_ text: String, into table: inout TopicTable) -> (id: Int, inserted: Bool) {
        Array(text.utf8).withUnsafeBytes { table.insert($0) }
    }

    private static func id(of text: String, in table: TopicTable) -> Int? {
        Array(text.utf8).withUnsafeBytes { table.id(of: $0) }
    }

    @Test func idsAreDenseInOrderOfInsertionAndRepeatsFindTheirId() {
        var table = TopicTable()
        #expect(Self.insert("NASDAQ.AAPL", into: &table) == (0, true))
        #expect(Self.insert("NYSE.IBM", into: &table) == (1, true))
        #expect(Self.insert("NASDAQ.AAPL", into: &table) == (0, false))
        // A prefix or an extension of a topic is another topic.
        #expect(Self.insert("NASDAQ.AAP", into: &table) == (2, true))
        #expect(Self.insert("NASDAQ.AAPLX", into: &table) == (3, true))
        #expect(table.count == 4)
        #expect(Self.id(of: "NYSE.IBM", in: table) == 1 && Self.id(of: "NYSE.IB", in: table) == nil)
        #expect(table.bytes(of: 3) == Array("NASDAQ.AAPLX".utf8))
    }

    @Test func removeAllForgetsEveryTopicAndIdsStartAgainAtZero() {
        var table = TopicTable()
        for index in 0..<1000 { _ = Self.insert("NYSE.S\(index)", into: &table) }
        table.removeAll()
        #expect(table.count == 0 && Self.id(of: "NYSE.S5", in: table) == nil)
        #expect(Self.insert("NYSE.S999", into: &table) == (0, true))
        #expect(Self.id(of: "NYSE.S999", in: table) == 0)
    }

    /// Many growths of the slots: every id stays what insertion gave it, and every topic's bytes
    /// come back as they went in.
    @Test func twoHundredThousandTopicsKeepDenseStableIdsAndTheirBytes() {
        let names = (0..<200_000).map { index in
            "\(["NASDAQ", "NYSE", "CBOE"][index % 3]).S\(String(index, radix: 36, uppercase: true))\(index % 7 == 0 ? "270115C00041250" : "")"
        }
        var table = TopicTable()
        for (index, name) in names.enumerated() {
            let (id, inserted) = Self.insert(name, into: &table)
            guard id == index, inserted else {
                Issue.record("\(name) got id \(id), inserted \(inserted); expected a new id \(index)")
                return
            }
        }
        #expect(table.count == names.count)
        var mismatches = 0
        for (index, name) in names.enumerated() {
            let bytes = Array(name.utf8)
            if bytes.withUnsafeBytes({ table.id(of: $0) }) != index || bytes.withUnsafeBytes({ table.insert($0) }) != (index, false)
                || table.bytes(of: index) != bytes
            {
                mismatches += 1
            }
        }
        #expect(mismatches == 0, "\(mismatches) of \(names.count) topics lost their id or bytes")
        #expect(Self.id(of: "NASDAQ.NOTTHERE", in: table) == nil)
    }
}
