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
/// events over in batches with backpressure: at most ``bufferedBatches`` batches of up to
/// ``batchSize`` events wait for the consumer, so a slow consumer slows the subscription thread
/// (and libzmq's queue then drops, which the sequenced feed repairs from history). Ending the
/// loop (or cancelling the task) stops the thread and closes its socket.
public struct FeedSubscription: AsyncSequence, Sendable {
    public typealias Element = FeedEvent

    /// Events handed over at once, at most.
    public static let batchSize = 1024
    /// Batches waiting for the consumer, at most.
    public static let bufferedBatches = 4

    private let context: ZMQContext
    private let endpoints: [String]
    private let options: SequencedFeed.Options
    /// Counters of the subscription, updated as it runs (the latest iteration's).
    public let statistics = SubscriptionStatistics()

    public init(context: ZMQContext, endpoint: String, options: SequencedFeed.Options) {
        self.init(context: context, endpoints: [endpoint], options: options)
    }

    /// The same feed on several lines (A/B), merged first copy wins (see ``SequencedFeed``).
    public init(context: ZMQContext, endpoints: [String], options: SequencedFeed.Options) {
        self.context = context
        self.endpoints = endpoints
        self.options = options
    }

    public func makeAsyncIterator() -> Iterator {
        let channel = Channel(limit: Self.bufferedBatches)
        let context = context
        let endpoints = endpoints
        let options = options
        let statistics = statistics
        let thread = Thread {
            do {
                let feed = try SequencedFeed(context: context, endpoints: endpoints, options: options)
                defer { statistics.update(from: feed) }
                var batch: [FeedEvent] = []
                while true {
                    // Gather what is ready now, up to a batch, then hand it over.
                    let wait = batch.isEmpty ? 200 : 0
                    if let event = try feed.next(timeoutMilliseconds: wait) {
                        batch.append(event)
                        if batch.count < Self.batchSize { continue }
                    }
                    statistics.update(from: feed)
                    // An empty batch, when idle, only checks that the consumer is still there.
                    guard channel.push(.success(batch)) != .refused else { break }
                    batch.removeAll(keepingCapacity: true)
                }
            } catch {
                channel.push(.failure(error))
            }
            channel.finish()
        }
        thread.name = "feed-subscription"
        thread.start()
        return Iterator(channel: channel)
    }

    /// Batches of events from the subscription thread, or the error that ended it.
    typealias Channel = BoundedBlockingQueue<Result<[FeedEvent], any Error>>

    /// Reads the batches handed over by the subscription thread.
    public struct Iterator: AsyncIteratorProtocol {
        /// Stops the subscription thread when the last copy of the iterator goes away.
        private final class Lifetime: Sendable {
            let channel: Channel
            init(_ channel: Channel) { self.channel = channel }
            deinit { channel.cancel() }
        }

        private let lifetime: Lifetime
        private var channel: Channel { lifetime.channel }
        private var batch: [FeedEvent] = []
        private var index = 0

        fileprivate init(channel: Channel) { lifetime = Lifetime(channel) }

        public mutating func next() async throws -> FeedEvent? {
            while index == batch.count {
                guard let next = await channel.next() else { return nil }
                batch = try next.get()
                index = 0
            }
            defer { index += 1 }
            return batch[index]
        }
    }
}
