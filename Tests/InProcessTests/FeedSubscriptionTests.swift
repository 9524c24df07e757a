import FeedClientKit
import FeedModel
import Foundation
import Testing
import ZeroMQ

/// Ending or cancelling the `for await` loop of a ``FeedSubscription`` stops its thread, which
/// closes its socket: the publisher sees the subscription go.
struct FeedSubscriptionTests {
    /// How long each side waits for the other. These are async tests: while synchronous tests
    /// of the same run hold the cooperative pool's few threads (two on a 2-core machine), the
    /// subscription starts late; seen here at 34 s in a full run. Each wait still ends the test
    /// with a failure, never a hang.
    static let patienceMilliseconds = 120_000

    /// A scripted publisher on a thread of its own: answers the subscription, publishes
    /// `messages` trades, then reports whether the subscriber unsubscribed within 5 s.
    static func publisher(context: ZMQContext, endpoint: String, messages: Int) -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        let thread = Thread {
            do {
                let publisher = try ScriptedPublisher(context: context, endpoint: endpoint)
                continuation.yield("bound")
                try publisher.awaitSubscription(timeoutMilliseconds: patienceMilliseconds)
                try publisher.heartbeat(session: 1, feedSequence: 0)
                var session = ScriptedSession(session: 1)
                try publisher.publish(session.add(["NASDAQ.A"], count: messages))
                try publisher.awaitSubscription(kind: 0, to: "NASDAQ.", timeoutMilliseconds: patienceMilliseconds)
                continuation.yield("unsubscribed")
            } catch {
                continuation.yield("\(error)")
            }
            continuation.finish()
        }
        thread.start()
        return stream
    }

    /// A subscription to NASDAQ., with a generous bound on the wait for the publisher.
    static func options() throws -> SequencedFeed.Options {
        var options = SequencedFeed.Options(prefixes: [try TopicPrefix("NASDAQ.")])
        options.connectTimeoutMilliseconds = patienceMilliseconds
        return options
    }

    @Test func endingTheLoopClosesTheSubscription() async throws {
        let context = try ZMQContext()
        let endpoint = "inproc://subscription-\(UUID().uuidString)"
        var publisher = Self.publisher(context: context, endpoint: endpoint, messages: 10).makeAsyncIterator()
        #expect(await publisher.next() == "bound")
        let subscription = FeedSubscription(context: context, endpoint: endpoint, options: try Self.options())
        var received = 0
        for try await event in subscription {
            if case .message = event { received += 1 }
            if received == 3 { break }
        }
        #expect(received == 3)
        #expect(await publisher.next() == "unsubscribed")
    }

    @Test func cancellingAWaitingLoopClosesTheSubscription() async throws {
        let context = try ZMQContext()
        let endpoint = "inproc://subscription-\(UUID().uuidString)"
        var publisher = Self.publisher(context: context, endpoint: endpoint, messages: 2).makeAsyncIterator()
        #expect(await publisher.next() == "bound")
        let subscription = FeedSubscription(context: context, endpoint: endpoint, options: try Self.options())
        let (seen, seeing) = AsyncStream.makeStream(of: Int.self)
        let consumer = Task {
            // However the loop ends, the test's wait below ends too (it must fail, not hang).
            defer { seeing.finish() }
            var received = 0
            for try await event in subscription {
                if case .message = event {
                    received += 1
                    seeing.yield(received)
                }
            }
            return received
        }
        // Both messages arrived; the loop now waits for more that never come.
        var arrived = 0
        for await count in seen {
            arrived = count
            if count == 2 { break }
        }
        #expect(arrived == 2)
        consumer.cancel()
        #expect(try await consumer.value == 2)
        #expect(await publisher.next() == "unsubscribed")
    }
}
