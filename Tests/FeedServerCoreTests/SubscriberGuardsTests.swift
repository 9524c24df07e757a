import Testing
import ZeroMQ

@testable import FeedServerCore

/// The publish side's decisions without sockets: what one subscriber may hold, when a prefix
/// gains its first holder or loses its last, when a stalled subscriber counts as slow, and how
/// the memory budget is shared.
struct SubscriberGuardsTests {
    let a = SubscriptionBook.Holder.connection(ConnectionDescriptor(10))
    let b = SubscriptionBook.Holder.connection(ConnectionDescriptor(11))

    @Test func aSubscriberBeyondItsLimitIsRefusedAndIgnoredUntilItLeaves() {
        var book = SubscriptionBook(limit: 2)
        #expect(book.subscribe(Array("A.".utf8), by: a) == .held(first: true))
        #expect(book.subscribe(Array("B.".utf8), by: a) == .held(first: true))
        #expect(book.subscribe(Array("B.".utf8), by: a) == .held(first: false), "a repeat holds nothing more")
        #expect(book.subscribe(Array("C.".utf8), by: a) == .refused(.tooManySubscriptions))
        #expect(book.subscribe(Array("D.".utf8), by: a) == .unchanged, "ignored while being dropped")
        #expect(book.subscribe(Array("C.".utf8), by: b) == .held(first: true), "others are not limited by it")
        #expect(book.remove(ConnectionDescriptor(10)).map { String(decoding: $0, as: UTF8.self) }.sorted() == ["A.", "B."])
        #expect(book.subscribe(Array("D.".utf8), by: a) == .held(first: true), "a new connection on the same descriptor starts afresh")
    }

    @Test func aPrefixLongerThanATopicIsRefused() {
        var book = SubscriptionBook(limit: 100)
        #expect(book.subscribe([UInt8](repeating: 65, count: 49), by: a) == .held(first: true))
        #expect(book.subscribe([UInt8](repeating: 65, count: 50), by: b) == .refused(.subscriptionTooLong))
    }

    @Test func aPrefixIsReleasedWhenItsLastHolderLetsGoOrLeaves() {
        var book = SubscriptionBook(limit: 100)
        let prefix = Array("NASDAQ.".utf8)
        #expect(book.subscribe(prefix, by: a) == .held(first: true))
        #expect(book.subscribe(prefix, by: b) == .held(first: false))
        #expect(book.subscribe(prefix, by: .inproc) == .held(first: false))
        #expect(book.cancel(prefix, by: a) == .released(last: false))
        #expect(book.cancel(prefix, by: a) == .unchanged, "not held any more")
        #expect(book.remove(ConnectionDescriptor(11)).isEmpty, "the inproc subscriber still holds it")
        #expect(book.cancel(prefix, by: .inproc) == .released(last: true))
    }

    @Test func aSubscriberIsSlowOnlyWhenEveryLookForTheWholeLimitFoundItsQueueFull() {
        var watch = SlowSubscriberWatch(limitMilliseconds: 1000)
        let connection = ConnectionDescriptor(7)
        let ms: Int64 = 1_000_000
        let looks: [(unsent: Int, atMilliseconds: Int64)] = [(10, 0), (10, 900), (0, 950), (10, 1000), (10, 1999), (10, 2000)]
        let slow = looks.map { watch.note(connection, unsentBytes: $0.unsent, now: $0.atMilliseconds * ms) }
        // Full at 0 and 900 ms, read at 950 ms (the clock starts again), full from 1000 ms on.
        #expect(slow == [false, false, false, false, false, true])
        #expect(!SlowSubscriberWatch(limitMilliseconds: 0).isEnabled)
    }

    @Test func theMemoryBudgetIsSharedByTheSubscribersWithinTheirHighWaterMark() {
        var guards = SubscriberGuards()
        #expect(guards.queueLimit(subscribers: 1_000_000, ceiling: 100_000) == 100_000, "no budget unless one is given")
        guards.subscriberMemoryBytes = 64 << 20
        let perMessage = SubscriberGuards.bytesPerQueuedMessage
        #expect(guards.queueLimit(subscribers: 1, ceiling: 100_000) == 100_000)
        #expect(guards.queueLimit(subscribers: 50, ceiling: 100_000) == Int32((64 << 20) / 50 / perMessage))
        #expect(guards.queueLimit(subscribers: 1_000_000, ceiling: 100_000) == SubscriberGuards.minimumQueueLimit)
        #expect(guards.queueLimit(subscribers: 1_000_000, ceiling: 10) == 10, "never above the configured mark")
        #expect(guards.queueLimit(subscribers: 50, ceiling: 0) == Int32((64 << 20) / 50 / perMessage), "0 is libzmq's unlimited")
        #expect(guards.queueLimit(subscribers: 1_000_000, ceiling: 0) == SubscriberGuards.minimumQueueLimit)
    }

    @Test func eachEndpointGetsAnEqualShareOfTheDescriptorsLeft() {
        #expect(ConnectionLimit.perEndpoint(endpoints: 3, softLimit: 1024) == (1024 - 128) / 3)
        #expect(ConnectionLimit.perEndpoint(endpoints: 3, softLimit: 100) == 16)
    }
}
