import FeedModel
import Testing

@testable import FeedServerCore

/// What a relay sends upstream as its downstream subscriptions come and go: each rule of
/// ``UpstreamSubscriptions`` by example, then random sequences against a model that recomputes
/// the whole upstream subscription from scratch after every change.
struct UpstreamSubscriptionsTests {
    static let heartbeat = Topic.heartbeat.rawValue

    static func subscriptions(_ allowed: [String], forwardsWithoutSubscribers: Bool = false) throws -> UpstreamSubscriptions {
        UpstreamSubscriptions(allowed: try allowed.map { try TopicPrefix($0) }, forwardsWithoutSubscribers: forwardsWithoutSubscribers)
    }

    @Test func aSubscriptionInsideTheAllowedPrefixesGoesUpstreamAsItIs() throws {
        var upstream = try Self.subscriptions(["NASDAQ.", "NYSE.IBM"])
        #expect(upstream.initial == [Self.heartbeat])
        #expect(upstream.apply(subscribe: true, prefix: "NASDAQ.AAPL") == (["NASDAQ.AAPL"], []))
        #expect(upstream.apply(subscribe: true, prefix: "NYSE.IBM") == (["NYSE.IBM"], []))
        #expect(upstream.apply(subscribe: false, prefix: "NASDAQ.AAPL") == ([], ["NASDAQ.AAPL"]))
    }

    @Test func aWiderSubscriptionGoesUpstreamAsTheAllowedPrefixesItCovers() throws {
        var upstream = try Self.subscriptions(["NASDAQ.", "NASDAQ.AAPL", "NYSE.IBM", "LSE."])
        #expect(upstream.apply(subscribe: true, prefix: "N") == (["NASDAQ.", "NYSE.IBM"], []))
        #expect(upstream.apply(subscribe: true, prefix: "") == (["LSE."], []))
        #expect(upstream.apply(subscribe: true, prefix: "CBOE.") == ([], []), "nothing allowed under it")
        #expect(upstream.apply(subscribe: false, prefix: "N") == ([], []), "the empty prefix still holds them")
        #expect(upstream.apply(subscribe: false, prefix: "") == ([], ["LSE.", "NASDAQ.", "NYSE.IBM"]))
    }

    @Test func anUpstreamPrefixLeavesWithItsLastHolder() throws {
        var upstream = try Self.subscriptions(["NASDAQ."])
        #expect(upstream.apply(subscribe: true, prefix: "NAS") == (["NASDAQ."], []))
        #expect(upstream.apply(subscribe: true, prefix: "NASDAQ.") == ([], []))
        #expect(upstream.apply(subscribe: false, prefix: "NAS") == ([], []))
        #expect(upstream.apply(subscribe: false, prefix: "NASDAQ.") == ([], ["NASDAQ."]))
    }

    @Test func aRepeatedSubscriptionOrACancelOfWhatIsNotHeldChangesNothing() throws {
        var upstream = try Self.subscriptions([])
        #expect(upstream.apply(subscribe: true, prefix: "NYSE.") == (["NYSE."], []))
        #expect(upstream.apply(subscribe: true, prefix: "NYSE.") == ([], []), "a second subscriber of NYSE.")
        #expect(upstream.apply(subscribe: false, prefix: "LSE.") == ([], []))
        #expect(upstream.apply(subscribe: false, prefix: "NYSE.") == ([], ["NYSE."]))
        #expect(upstream.apply(subscribe: false, prefix: "NYSE.") == ([], []))
    }

    @Test func aRecordingRelayKeepsItsPrefixesAndTheHeartbeatWithNoSubscriber() throws {
        var upstream = try Self.subscriptions(["NYSE.", "NASDAQ.", "NASDAQ.AAPL"], forwardsWithoutSubscribers: true)
        #expect(upstream.initial == [Self.heartbeat, "NASDAQ.", "NYSE."])
        #expect(upstream.apply(subscribe: true, prefix: "") == ([], []))
        #expect(upstream.apply(subscribe: true, prefix: Self.heartbeat) == ([], []))
        #expect(upstream.apply(subscribe: false, prefix: "") == ([], []))
        #expect(upstream.apply(subscribe: false, prefix: Self.heartbeat) == ([], []))
        #expect(try Self.subscriptions([], forwardsWithoutSubscribers: true).initial == ["", Self.heartbeat])
    }

    @Test func onlyAllowedTopicsAndTheHeartbeatAreForwarded() throws {
        let upstream = try Self.subscriptions(["NASDAQ.", "NYSE.IBM"])
        for (topic, allowed) in [("NASDAQ.AAPL", true), ("NYSE.IBM", true), ("NYSE.IBMX", true), ("NYSE.T", false), (Self.heartbeat, true)] {
            #expect(Array(topic.utf8).withUnsafeBytes { upstream.allows(topic: $0) } == allowed, "\(topic)")
        }
        let everything = try Self.subscriptions([])
        #expect(Array("LSE.VOD".utf8).withUnsafeBytes { everything.allows(topic: $0) })
    }

    /// Random subscriptions and cancels, repeats and cancels of what is not held included (as
    /// the verbose XPUB passes them on): after every change, what was sent upstream so far adds
    /// up to exactly what the model recomputes, and nothing was subscribed twice or cancelled
    /// without being subscribed.
    @Test(arguments: 0..<20)
    func randomChangesKeepUpstreamEqualToTheRecomputedModel(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let allowedPool = ["A", "AB", "A.", "A.X", "A.XY", "AB.X", "B.", "B.X", "B.XY", "BA"]
        let downstreamPool = ["", "$", "$H", Self.heartbeat, "A", "A.", "A.X", "A.XY", "A.XYZ", "AB", "AB.", "AB.X", "B", "B.", "B.X", "BA.Q", "C.Z"]
        let given = (0..<Int.random(in: 0...5, using: &random)).map { _ in allowedPool.randomElement(using: &random)! }
        var model = UpstreamModel(allowed: given, forwardsWithoutSubscribers: Bool.random(using: &random))
        var upstream = try Self.subscriptions(given, forwardsWithoutSubscribers: model.forwardsWithoutSubscribers)
        var sent = Set(upstream.initial)
        #expect(sent == model.wanted, "initial, allowed \(given)")
        for step in 0..<400 {
            let subscribe = Bool.random(using: &random)
            let prefix = downstreamPool.randomElement(using: &random)!
            let changes = upstream.apply(subscribe: subscribe, prefix: prefix)
            if subscribe { model.downstream.insert(prefix) } else { model.downstream.remove(prefix) }
            for added in changes.subscribe { #expect(sent.insert(added).inserted, "step \(step): '\(added)' subscribed twice") }
            for removed in changes.unsubscribe { #expect(sent.remove(removed) != nil, "step \(step): '\(removed)' cancelled, not held") }
            #expect(sent == model.wanted, "step \(step) \(subscribe ? "+" : "-")'\(prefix)', allowed \(given), downstream \(model.downstream)")
        }
    }
}

/// The upstream subscription recomputed from every downstream prefix after each change: the
/// rules of ``UpstreamSubscriptions`` read literally, at the cost the relay must not pay.
private struct UpstreamModel {
    let allowed: [String]
    let forwardsWithoutSubscribers: Bool
    var downstream: Set<String> = []

    init(allowed: [String], forwardsWithoutSubscribers: Bool) {
        self.allowed = allowed
        self.forwardsWithoutSubscribers = forwardsWithoutSubscribers
    }

    var wanted: Set<String> {
        func starts(_ text: String, with prefix: String) -> Bool { text.utf8.starts(with: prefix.utf8) }
        let widest = allowed.filter { prefix in !allowed.contains { $0 != prefix && starts(prefix, with: $0) } }
        var wanted: Set<String> = [Topic.heartbeat.rawValue]
        if forwardsWithoutSubscribers { wanted.formUnion(allowed.isEmpty ? [""] : widest) }
        for prefix in downstream where prefix != Topic.heartbeat.rawValue {
            if allowed.isEmpty || allowed.contains(where: { starts(prefix, with: $0) }) {
                wanted.insert(prefix)
            } else {
                wanted.formUnion(widest.filter { starts($0, with: prefix) })
            }
        }
        return wanted
    }
}
