import FeedModel
import Testing

private func topicError(_ text: String) -> TopicError? {
    do throws(TopicError) {
        _ = try Topic(text)
        return nil
    } catch { return error }
}

private func prefixError(_ text: String) -> TopicError? {
    do throws(TopicError) {
        _ = try TopicPrefix(text)
        return nil
    } catch { return error }
}

private func bytewiseLess(_ lhs: String, _ rhs: String) -> Bool {
    lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
}

@Suite("Topic")
struct TopicTests {
    @Test(
        "valid VENUE.SYMBOL topics are accepted as given",
        arguments: [
            "NASDAQ.AAPL", "NYSE.BRK.B", "A.B", "X1.a-b_c/d.e", "LSE.VOD", "CME.ESZ6", "9.9",
            "ABCDEFGHIJKLMNOP.X", "N." + String(repeating: "s", count: 32),
            "ABCDEFGHIJKLMNOP." + String(repeating: "S", count: 32),
        ])
    func validTopics(text: String) throws {
        let topic = try Topic(text)
        #expect(topic.rawValue == text)
        #expect(topic.description == text)
        let fromBytes = try Array(text.utf8).withUnsafeBytes { bytes throws(TopicError) in try Topic(bytes: bytes) }
        #expect(fromBytes == topic)
    }

    @Test("the longest topic is 49 bytes: a 16-byte venue, the dot and a 32-byte symbol")
    func maximumLength() throws {
        #expect(Topic.maximumLength == 49)
        let longest = "ABCDEFGHIJKLMNOP." + String(repeating: "S", count: 32)
        #expect(longest.utf8.count == 49)
        #expect(try Topic(longest).rawValue == longest)
        #expect(topicError(longest + "S") == .tooLong(longest + "S", 50))
    }

    @Test("venue is everything before the first dot, symbol everything after it")
    func venueAndSymbol() throws {
        let topic = try Topic("NYSE.BRK.B")
        #expect(topic.venue == "NYSE")
        #expect(topic.symbol == "BRK.B")
        #expect(try Topic("NASDAQ.AAPL").venue == "NASDAQ")
        #expect(try Topic("NASDAQ.AAPL").symbol == "AAPL")
    }

    @Test(
        "invalid topics are rejected with the rule they break",
        arguments: [
            ("", TopicError.empty),
            ("NASDAQ", .missingSeparator("NASDAQ")),
            ("nasdaq.AAPL", .badVenue("nasdaq.AAPL")),
            ("Nasdaq.AAPL", .badVenue("Nasdaq.AAPL")),
            (".AAPL", .badVenue(".AAPL")),
            ("NAS_DAQ.AAPL", .badVenue("NAS_DAQ.AAPL")),
            ("ABCDEFGHIJKLMNOPQ.X", .badVenue("ABCDEFGHIJKLMNOPQ.X")),
            ("NASDAQ.", .badSymbol("NASDAQ.")),
            ("NASDAQ.AA PL", .badSymbol("NASDAQ.AA PL")),
            ("NASDAQ.AAPL*", .badSymbol("NASDAQ.AAPL*")),
            ("NASDAQ.ÄPL", .badSymbol("NASDAQ.ÄPL")),
            ("ÄX.AAPL", .badVenue("ÄX.AAPL")),
            ("N." + String(repeating: "S", count: 33), .badSymbol("N." + String(repeating: "S", count: 33))),
            ("NYSE." + String(repeating: "S", count: 45), .tooLong("NYSE." + String(repeating: "S", count: 45), 50)),
            ("$HB", .missingSeparator("$HB")),
        ] as [(String, TopicError)])
    func invalidTopics(text: String, expected: TopicError) {
        #expect(topicError(text) == expected)
        guard text != Topic.heartbeat.rawValue else { return }  // Valid as a frame, see below.
        let fromBytes = Array(text.utf8).withUnsafeBytes { bytes -> TopicError? in
            do throws(TopicError) {
                _ = try Topic(bytes: bytes)
                return nil
            } catch { return error }
        }
        #expect(fromBytes == expected)
    }

    @Test("the heartbeat topic $HB exists only on the wire: bytes decode to it, the string initializer refuses it")
    func heartbeatTopic() throws {
        #expect(Topic.heartbeat.rawValue == "$HB")
        let decoded = try Array("$HB".utf8).withUnsafeBytes { bytes throws(TopicError) in try Topic(bytes: bytes) }
        #expect(decoded == .heartbeat)
        #expect(topicError("$HB") != nil)
    }

    @Test("topics order bytewise")
    func ordering() throws {
        let sorted = try ["A.B", "NASDAQ.AAPL", "NASDAQ.AAPLX", "NASDAQ.MSFT", "NYSE.BRK.B", "NYSE.BRK/A", "NYSE.a"].map {
            text throws(TopicError) in try Topic(text)
        }
        #expect(sorted.shuffled().sorted() == sorted)
        #expect(try Topic("NASDAQ.Z") < Topic("NASDAQ.a"))
    }

    @Test("every error describes itself on one line")
    func descriptions() {
        let errors: [TopicError] = [
            .empty, .tooLong("x", 50), .missingSeparator("x"), .badVenue("x"), .badSymbol("x"), .badPrefix("x"),
        ]
        for error in errors {
            #expect(!error.description.isEmpty)
            #expect(!error.description.contains("\n"))
        }
    }
}

@Suite("TopicPrefix")
struct TopicPrefixTests {
    @Test(
        "any prefix of a valid topic is a valid subscription",
        arguments: ["", "N", "NASDAQ", "NASDAQ.", "NASDAQ.A", "NASDAQ.AAPL", "NYSE.BRK.", "NYSE.BRK.B", "X1.a-b_", "ABCDEFGHIJKLMNOP."])
    func validPrefixes(text: String) throws {
        #expect(try TopicPrefix(text).rawValue == text)
    }

    @Test(
        "prefixes no valid topic starts with are rejected",
        arguments: [
            ("nasdaq", TopicError.badPrefix("nasdaq")),
            ("NASDAq", .badPrefix("NASDAq")),
            (".", .badPrefix(".")),
            (".AAPL", .badPrefix(".AAPL")),
            ("NAS DAQ", .badPrefix("NAS DAQ")),
            ("NASDAQ.AA PL", .badPrefix("NASDAQ.AA PL")),
            ("NASDAQ.AAPL*", .badPrefix("NASDAQ.AAPL*")),
            ("ABCDEFGHIJKLMNOPQ", .badPrefix("ABCDEFGHIJKLMNOPQ")),
            ("ABCDEFGHIJKLMNOPQ.", .badPrefix("ABCDEFGHIJKLMNOPQ.")),
            ("N." + String(repeating: "S", count: 33), .badPrefix("N." + String(repeating: "S", count: 33))),
            ("NYSE." + String(repeating: "S", count: 45), .tooLong("NYSE." + String(repeating: "S", count: 45), 50)),
            ("$HB", .badPrefix("$HB")),
            ("$", .badPrefix("$")),
        ] as [(String, TopicError)])
    func invalidPrefixes(text: String, expected: TopicError) {
        #expect(prefixError(text) == expected)
    }

    @Test("the empty prefix matches everything and has no upper bound")
    func everything() throws {
        #expect(TopicPrefix.all.rawValue == "")
        #expect(try TopicPrefix("") == .all)
        #expect(TopicPrefix.all.matches("NASDAQ.AAPL"))
        #expect(TopicPrefix.all.matches("$HB"))
        #expect(TopicPrefix.all.upperBound == nil)
        #expect(TopicPrefix.all.description == "(everything)")
    }

    @Test("matching is a bytewise starts-with, like ZeroMQ's subscription filter")
    func matchesBytewise() throws {
        let nasdaq = try TopicPrefix("NASDAQ.")
        #expect(nasdaq.matches("NASDAQ.AAPL"))
        #expect(!nasdaq.matches("NYSE.IBM"))
        #expect(!nasdaq.matches("NASDAQ"))
        #expect(!nasdaq.matches("nasdaq.AAPL"))
        #expect(!nasdaq.matches("$HB"))
        // Without the dot a prefix also matches longer venues.
        #expect(try TopicPrefix("NASDAQ").matches("NASDAQX.AAPL"))
        #expect(try TopicPrefix("NASDAQ.AAPL").matches("NASDAQ.AAPL"))
        #expect(try TopicPrefix("NASDAQ.AAPL").matches("NASDAQ.AAPLX"))
        #expect(try TopicPrefix("NASDAQ.AAPL").description == "NASDAQ.AAPL")
    }

    @Test("covering keeps the fewest prefixes that match the same topics: those under another and repeats go")
    func coveringDropsPrefixesUnderOthersAndRepeats() throws {
        let prefixes = try ["NYSE.IBM", "NASDAQ.AA", "NASDAQ.A", "NYSE.", "NASDAQ.AAPL", "NYSE.", "LSE"].map { try TopicPrefix($0) }
        #expect(TopicPrefix.covering(prefixes).map(\.rawValue) == ["LSE", "NASDAQ.A", "NYSE."])
        #expect(TopicPrefix.covering([.all, try TopicPrefix("NYSE.")]) == [.all])
        #expect(TopicPrefix.covering([]).isEmpty)
    }

    @Test("upperBound increments the last byte")
    func upperBoundExamples() throws {
        #expect(try TopicPrefix("NASDAQ.").upperBound == "NASDAQ/")
        #expect(try TopicPrefix("NASDAQ.AAPL").upperBound == "NASDAQ.AAPM")
        #expect(try TopicPrefix("N").upperBound == "O")
        #expect(try TopicPrefix("NYSE.brk_z").upperBound == "NYSE.brk_{")
        #expect(try TopicPrefix("X.9").upperBound == "X.:")
    }

    @Test("[prefix, upperBound) holds exactly the topics the prefix matches, in byte order and String order")
    func upperBoundOrderingProperty() throws {
        var random = SeededGenerator(seed: 7)
        // Small alphabets so that topics share many prefixes, including the extreme symbol bytes.
        let venueBytes = Array("AZ09N".utf8)
        let symbolBytes = Array("AZaz09./-_".utf8)
        var topics: [String] = []
        for _ in 0..<400 {
            let venue = (0..<Int.random(in: 1...3, using: &random)).map { _ in venueBytes.randomElement(using: &random)! }
            let symbol = (0..<Int.random(in: 1...4, using: &random)).map { _ in symbolBytes.randomElement(using: &random)! }
            let text = String(decoding: venue + [UInt8(ascii: ".")] + symbol, as: UTF8.self)
            topics.append(try Topic(text).rawValue)
        }
        topics += ["ZZZZZZZZZZZZZZZZ.zzz", "0.-", "A.A", "A.z", "Z.z/"]
        var prefixes: Set<String> = [""]
        for topic in topics.prefix(150) {
            let bytes = Array(topic.utf8)
            prefixes.insert(String(decoding: bytes[..<Int.random(in: 1...bytes.count, using: &random)], as: UTF8.self))
        }
        for text in prefixes {
            let prefix = try TopicPrefix(text)  // Every prefix of a valid topic is accepted.
            for topic in topics {
                let matches = prefix.matches(topic)
                #expect(matches == topic.hasPrefix(text) || text.isEmpty)
                guard let upper = prefix.upperBound else {
                    #expect(matches)
                    continue
                }
                let inRangeBytes = !bytewiseLess(topic, text) && bytewiseLess(topic, upper)
                let inRangeString = topic >= text && topic < upper
                #expect(matches == inRangeBytes, "prefix \(text) upper \(upper) topic \(topic)")
                #expect(matches == inRangeString, "prefix \(text) upper \(upper) topic \(topic)")
            }
        }
    }
}
