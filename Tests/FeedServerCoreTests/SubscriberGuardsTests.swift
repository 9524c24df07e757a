import Testing
import ZeroMQ

@testable import FeedServerCore

/// The publish side's decisions without sockets: what one subscriber may hold, when a prefix
/// gains its first holder or loses its last, when a stalled subscriber counts as slow or as
/// stalled while the feed is behind, and which stalled subscribers the memory budget disconnects.
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
        let verdicts = looks.map { watch.note(connection, .init(unsentBytes: $0.unsent, acknowledgedBytes: 5), now: $0.atMilliseconds * ms, published: 0, feedBehind: false) }
        // Full at 0 and 900 ms, read at 950 ms (the clock starts again), full from 1000 ms on.
        #expect(verdicts == [nil, nil, nil, nil, nil, .slow])
        var never = SlowSubscriberWatch(limitMilliseconds: 0)
        let neverSlow = [0, 3600_000 * ms].map { never.note(connection, .init(unsentBytes: 10, acknowledgedBytes: 5), now: $0, published: 0, feedBehind: true) }
        #expect(neverSlow == [nil, nil], "0 never disconnects one")
        #expect(never.stalls[connection]?.since == 0, "but still notes the stall, for the memory budget")
    }

    @Test func whileTheFeedIsBehindASubscriberThatAcknowledgesNothingForASecondIsDisconnected() {
        let ms: Int64 = 1_000_000
        var watch = SlowSubscriberWatch(limitMilliseconds: 600_000)
        let stalled = ConnectionDescriptor(7)
        let reading = ConnectionDescriptor(8)
        let ipc = ConnectionDescriptor(9)
        var verdicts: [ConnectionDescriptor: [SlowSubscriberWatch.Verdict?]] = [:]
        for at in stride(from: Int64(0), through: 1_000, by: 100) {
            let looks: [(ConnectionDescriptor, SendQueueLook)] = [
                (stalled, .init(unsentBytes: 100, acknowledgedBytes: 4_000)),
                (reading, .init(unsentBytes: 100, acknowledgedBytes: 4_000 + UInt64(at))),  // reads, slowly
                (ipc, .init(unsentBytes: 100, acknowledgedBytes: nil)),
            ]
            for (connection, look) in looks {
                verdicts[connection, default: []].append(watch.note(connection, look, now: at * ms, published: 0, feedBehind: true))
            }
        }
        #expect(verdicts[stalled]!.dropLast().allSatisfy { $0 == nil } && verdicts[stalled]!.last == .stalledWhileBehind)
        #expect(verdicts[reading]!.allSatisfy { $0 == nil }, "a peer that acknowledges bytes reads: left to the slow rule")
        #expect(verdicts[ipc]!.allSatisfy { $0 == nil }, "IPC says nothing of what was read: left to the slow rule")

        var calm = SlowSubscriberWatch(limitMilliseconds: 600_000)
        let calmVerdicts = [0, 1_000, 5_000].map {
            calm.note(stalled, .init(unsentBytes: 100, acknowledgedBytes: 4_000), now: $0 * ms, published: 0, feedBehind: false)
        }
        #expect(calmVerdicts == [nil, nil, nil], "while the feed keeps up, only --slow-subscriber-ms counts")

        var short = SlowSubscriberWatch(limitMilliseconds: 300)
        let shortVerdicts = [0, 200, 300].map {
            short.note(stalled, .init(unsentBytes: 100, acknowledgedBytes: 4_000), now: $0 * ms, published: 0, feedBehind: true)
        }
        #expect(shortVerdicts == [nil, nil, .slow], "a shorter --slow-subscriber-ms comes first")
    }

    @Test func theFeedIsBehindOnlyWhenEveryTurnForTheWholeSpanLeftWorkWaiting() {
        let ms: Int64 = 1_000_000
        var backlog = FeedBacklog()
        backlog.noteTurn(leftWorkWaiting: true, now: 0)
        backlog.noteTurn(leftWorkWaiting: true, now: 900 * ms)
        #expect(!backlog.isBehind(for: 1_000 * ms, now: 900 * ms))
        backlog.noteTurn(leftWorkWaiting: false, now: 950 * ms)
        backlog.noteTurn(leftWorkWaiting: true, now: 1_000 * ms)
        #expect(!backlog.isBehind(for: 1_000 * ms, now: 1_500 * ms), "a turn that took everything starts it again")
        backlog.noteTurn(leftWorkWaiting: true, now: 2_000 * ms)
        #expect(backlog.isBehind(for: 1_000 * ms, now: 2_000 * ms))
    }

    @Test func overTheMemoryBudgetTheLongestStalledAreDisconnectedFirst() {
        let perMessage = SubscriberGuards.bytesPerQueuedMessage
        let budget = SubscriberMemoryBudget(bytes: 2_500 * perMessage, queueLimit: 1_000)
        var watch = SlowSubscriberWatch(limitMilliseconds: 0)
        // Stalled when 0, 100, 500 and 900 messages had been published; 5 never stalls.
        for (descriptor, published) in [(1, 500), (2, 0), (3, 100), (4, 900)] as [(Int32, UInt64)] {
            _ = watch.note(ConnectionDescriptor(descriptor), .init(unsentBytes: 1, acknowledgedBytes: 0), now: Int64(published), published: published, feedBehind: false)
        }
        _ = watch.note(ConnectionDescriptor(5), .init(unsentBytes: 0, acknowledgedBytes: 0), now: 0, published: 0, feedBehind: false)
        // At 1,000 published: 500 + 1,000 + 900 + 100 messages may be queued, under 2,500.
        let under = budget.overBudget(watch.stalls, published: 1_000)
        #expect(under.heldBytes == 2_500 * perMessage && under.toDisconnect.isEmpty)
        // At 2,000: each at most its high-water mark, 1,000 + 1,000 + 1,000 + 1,000; the two that
        // stalled first go (fd 2, then fd 3), leaving 2,000.
        let (held, toDisconnect) = budget.overBudget(watch.stalls, published: 2_000)
        #expect(held == 4_000 * perMessage)
        #expect(toDisconnect == [ConnectionDescriptor(2), ConnectionDescriptor(3)])
        #expect(
            SubscriberMemoryBudget(bytes: 1, queueLimit: 0).estimate(.init(since: 0, publishedBefore: 0, idleSince: 0), published: 5_000_000)
                == 5_000_000 * perMessage, "0 is libzmq's unlimited: no cap")
    }

    @Test func theDefaultBudgetIsWellUnderTheMachinesMemory() {
        #expect(SubscriberGuards.defaultSubscriberMemory(physicalMemory: 64 << 30) == 1 << 30)
        #expect(SubscriberGuards.defaultSubscriberMemory(physicalMemory: 2 << 30) == 256 << 20)
        #expect(SubscriberGuards().subscriberMemoryBytes == SubscriberGuards.defaultSubscriberMemoryBytes)
    }

    @Test func eachEndpointGetsAnEqualShareOfTheDescriptorsLeft() {
        #expect(ConnectionLimit.perEndpoint(endpoints: 3, softLimit: 1024) == (1024 - 128) / 3)
        #expect(ConnectionLimit.perEndpoint(endpoints: 3, softLimit: 100) == 16)
    }
}
