import FeedModel
import Foundation
import ZeroMQ

/// A sequenced subscription as an `AsyncSequence` of ``FeedEvent``s: history merged into live,
/// gaps repaired or reported, restarts reported (see ``SequencedFeed`` for the rules).
///
/// ```swift
/// let context = try ZMQContext()
/// let feed = FeedSubscription(context: context, endpoint: "tcp://127.0.0.1:5556",
///     options: .init(prefixes: [try TopicPrefix("NASDAQ.")], start: .sessionStart,
///                    replayEndpoint: "tcp://127.0.0.1:5558"))
/// for try await event in feed {
///     if case .message(let message) = event { print(message.topic, message.feedSequence) }
/// }
/// ```
/// Each iteration runs the subscription on a thread of its own (libzmq calls block) and hands
/// events over in batches with backpressure. Ending the loop (or cancelling the task) stops it.
public struct FeedSubscription: AsyncSequence, Sendable {
    public typealias Element = FeedEvent

    private let context: ZMQContext
    private let endpoint: String
    private let options: SequencedFeed.Options

    public init(context: ZMQContext, endpoint: String, options: SequencedFeed.Options) {
        self.context = context
        self.endpoint = endpoint
        self.options = options
    }

    public func makeAsyncIterator() -> Iterator {
        let channel = EventChannel<FeedEvent>(capacity: 64)
        let context = context
        let endpoint = endpoint
        let options = options
        let thread = Thread {
            do {
                let feed = try SequencedFeed(context: context, endpoint: endpoint, options: options)
                var batch: [FeedEvent] = []
                while true {
                    // Gather what is ready now, up to a batch, then hand it over.
                    let wait = batch.isEmpty ? 200 : 0
                    if let event = try feed.next(timeoutMilliseconds: wait) {
                        batch.append(event)
                        if batch.count < 1024 { continue }
                    }
                    if !batch.isEmpty {
                        guard channel.send(batch) else { break }
                        batch.removeAll(keepingCapacity: true)
                    } else if !channel.send([]) {
                        break  // Idle: an empty batch only checks that the consumer is still there.
                    }
                }
                channel.finish()
            } catch {
                channel.finish(throwing: error)
            }
        }
        thread.name = "feed-subscription"
        thread.start()
        return Iterator(channel: channel)
    }

    /// Reads the batches handed over by the subscription thread.
    public struct Iterator: AsyncIteratorProtocol {
        /// Stops the subscription thread when the last copy of the iterator goes away.
        private final class Lifetime: Sendable {
            let channel: EventChannel<FeedEvent>
            init(_ channel: EventChannel<FeedEvent>) { self.channel = channel }
            deinit { channel.cancel() }
        }

        private let lifetime: Lifetime
        private var channel: EventChannel<FeedEvent> { lifetime.channel }
        private var batch: [FeedEvent] = []
        private var index = 0

        fileprivate init(channel: EventChannel<FeedEvent>) { lifetime = Lifetime(channel) }

        public mutating func next() async throws -> FeedEvent? {
            while index == batch.count {
                guard let next = try await channel.receive() else { return nil }
                batch = next
                index = 0
            }
            defer { index += 1 }
            return batch[index]
        }
    }
}
