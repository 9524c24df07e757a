import FeedModel
import Testing

@testable import FeedServerCore

/// What the manual XPUB applies for a subscriber entitled to some prefixes.
struct EntitledSubscriptionsTests {
    private static let nasdaq = ClientEntitlements(name: "alice", roles: [.subscribe], prefixes: [try! TopicPrefix("NASDAQ."), try! TopicPrefix("NYSE.IBM")])

    @Test func aWiderSubscriptionAppliesOnlyTheEntitledPrefixes() {
        var book = EntitledSubscriptions<Int>()
        #expect(book.subscribe("", by: 1, entitled: Self.nasdaq) == .subscribe(["NASDAQ.", "NYSE.IBM", "$HB"]))
        #expect(book.subscribe("NYSE.", by: 2, entitled: Self.nasdaq) == .subscribe(["NYSE.IBM"]))
        #expect(book.subscribe("NAS", by: 3, entitled: Self.nasdaq) == .subscribe(["NASDAQ."]))
        #expect(book.subscribe("NASDAQ.AAPL", by: 4, entitled: Self.nasdaq) == .subscribe(["NASDAQ.AAPL"]))
        #expect(book.subscribe("$HB", by: 4, entitled: Self.nasdaq) == .subscribe(["$HB"]))
    }

    @Test func aSiblingVenueAppliesNothing() {
        var book = EntitledSubscriptions<Int>()
        #expect(book.subscribe("ARCA.", by: 1, entitled: Self.nasdaq) == .notEntitled)
        #expect(book.subscribe("NYSE.IBX", by: 1, entitled: Self.nasdaq) == .notEntitled)
        #expect(book.cancel("ARCA.", by: 1) == .unsubscribe([]))
        let nobody = ClientEntitlements(name: "nobody", roles: [.subscribe], prefixes: [])
        #expect(book.subscribe("", by: 2, entitled: nobody) == .subscribe(["$HB"]))
        let publisher = ClientEntitlements(name: "gw", roles: [.publish], prefixes: [.all])
        #expect(book.subscribe("", by: 3, entitled: publisher) == .notEntitled)
        #expect(book.subscribe("$HB", by: 3, entitled: publisher) == .notEntitled)
    }

    @Test func aPrefixStaysAppliedWhileAnotherSubscriptionOfTheSameHolderNeedsIt() {
        var book = EntitledSubscriptions<Int>()
        #expect(book.subscribe("", by: 1, entitled: Self.nasdaq) == .subscribe(["NASDAQ.", "NYSE.IBM", "$HB"]))
        #expect(book.subscribe("NASDAQ.", by: 1, entitled: Self.nasdaq) == .subscribe([]))
        #expect(book.subscribe("NASDAQ.", by: 1, entitled: Self.nasdaq) == .subscribe([]))  // A repeat.
        #expect(book.subscribe("NASDAQ.", by: 2, entitled: Self.nasdaq) == .subscribe(["NASDAQ."]))  // Another holder.
        #expect(book.cancel("", by: 1) == .unsubscribe(["NYSE.IBM", "$HB"]))
        #expect(book.cancel("NASDAQ.", by: 1) == .unsubscribe(["NASDAQ."]))
        #expect(book.cancel("NASDAQ.", by: 1) == .unsubscribe([]))
        book.remove(2)
        #expect(book.cancel("NASDAQ.", by: 2) == .unsubscribe([]))
    }
}
