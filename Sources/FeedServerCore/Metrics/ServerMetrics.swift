import FeedModel

/// Every metric the server and the relay export, with its help text: the one place to add one.
///
/// Most are read from ``ServerCounters`` at scrape time (``scraped``), so the publishing path
/// pays nothing for them; the replay service records its own as requests happen (``replay``).
/// README.md's "Metrics" section lists them for operators.
public enum ServerMetrics {
    /// Metrics read from the counters when scraped.
    static let scraped: [ScrapedMetric] = [
        .counter("feed_published_messages_total", "Messages published to subscribers (by a relay: forwarded).") {
            $0.published.load(ordering: .relaxed)
        },
        .gauge("feed_last_feed_sequence", "Feed sequence number of the last message published.") {
            Double($0.lastFeedSequence.load(ordering: .relaxed))
        },
        .counters("feed_rejected_messages_total", "Incoming messages dropped, by reason.", label: "kind") {
            $0.rejectedCounts.map { ($0.key, Double($0.value)) }
        },
        .counter("feed_subscriptions_total", "Subscriptions received from subscribers.") { $0.subscriptions.load(ordering: .relaxed) },
        .gauges("feed_connections", "Live connections, per endpoint (publish, ingest, replay).", label: "endpoint") {
            $0.connections.map { ($0.key, Double($0.value)) }
        },
        .counters("feed_refused_connections_total", "Connections closed at once: their endpoint held its share of descriptors.", label: "endpoint") {
            $0.refusedConnections.map { ($0.key, Double($0.value)) }
        },
        .counters("feed_dropped_subscribers_total", "Subscribers disconnected, by reason (slow, stalled_while_behind, memory_budget, too_many_subscriptions, subscription_too_long).", label: "reason") {
            $0.droppedSubscribers.map { ($0.key, Double($0.value)) }
        },
        .gauge("feed_subscriber_queue_limit_messages", "Messages each subscriber's queue may hold (ZMQ_SNDHWM).") {
            Double($0.subscriberQueueLimit.load(ordering: .relaxed))
        },
        .gauge("feed_subscriber_memory_budget_bytes", "What stalled subscribers' queues may hold together (--subscriber-memory).") {
            Double($0.subscriberMemoryBudget.load(ordering: .relaxed))
        },
        .gauge("feed_stalled_subscriber_queue_bytes", "What stalled subscribers' queues may hold now, estimated from above.") {
            Double($0.stalledSubscriberBytes.load(ordering: .relaxed))
        },
        .counter("feed_refused_keys_total", "CURVE handshakes refused: the client's key is not in the clients folder.") {
            $0.curve ? $0.refusedKeys.load(ordering: .relaxed) : nil
        },
        .counter("feed_not_entitled_subscriptions_total", "Subscriptions of CURVE subscribers with no entitled part (nothing applied).") {
            $0.curve ? $0.notEntitledSubscriptions.load(ordering: .relaxed) : nil
        },
        .counter("feed_recorded_messages_total", "Messages written to the history.") {
            $0.recording ? $0.recorded.load(ordering: .relaxed) : nil
        },
        .counter("feed_unrecorded_messages_total", "Published messages the recorder gave up on (the history lacks them).") {
            $0.recording ? $0.unrecorded.load(ordering: .relaxed) : nil
        },
        .gauge("feed_recorder_lag_messages", "Messages published and not yet written to the history.") {
            $0.recording ? Double($0.recorderLagMessages) : nil
        },
        .gauge("feed_recorder_lag_seconds", "Age of the oldest block handed to the recorder and not yet written (0: none waits).") {
            $0.recording ? $0.recorderBacklog.oldestAgeSeconds(now: MonotonicClock.nanoseconds()) : nil
        },
        .gauge("feed_history_size_bytes", "Size of the history file (its pages, without the write-ahead log).") {
            $0.history.withLock { $0.map { Double($0.fileBytes) } }
        },
        .gauge("feed_history_bytes_in_use", "Of the history file, the pages in use (the rest are free pages that new blocks reuse).") {
            $0.history.withLock { $0.map { Double($0.bytesInUse) } }
        },
        .gauge("feed_history_oldest_timestamp_seconds", "Publish time of the oldest message retained (Unix seconds).") {
            $0.history.withLock { $0?.firstTime.map { Double($0) / 1e9 } }
        },
        .gauge("feed_history_newest_timestamp_seconds", "Publish time of the newest message recorded (Unix seconds).") {
            $0.history.withLock { $0?.lastTime.map { Double($0) / 1e9 } }
        },
        .counter("feed_history_expired_messages_total", "Messages deleted by retention (--retain, --retain-size) over the file's life.") {
            $0.history.withLock { $0?.expiredMessages }
        },
        .gauges("feed_multicast_rate_limit_bytes_per_second", "Configured PGM rate limit (--multicast-rate), per multicast endpoint.", label: "endpoint") {
            $0.multicastEndpoints.map { ($0.endpoint, Double($0.rateLimitBytesPerSecond)) }
        },
        .counters("feed_multicast_waits_total", "Sends that found the PGM queue full and waited for the rate.", label: "endpoint") {
            $0.multicastEndpoints.map { ($0.endpoint, Double($0.waits.load(ordering: .relaxed))) }
        },
        .counters("feed_multicast_wait_seconds_total", "Time publishing spent waiting for the PGM rate.", label: "endpoint") {
            $0.multicastEndpoints.map { ($0.endpoint, Double($0.waitNanoseconds.load(ordering: .relaxed)) / 1e9) }
        },
        .counters("feed_multicast_given_up_messages_total", "Messages not sent on multicast at a stop (the history has them).", label: "endpoint") {
            $0.multicastEndpoints.map { ($0.endpoint, Double($0.givenUp.load(ordering: .relaxed))) }
        },
    ]

    /// A metric recorded as things happen, through swift-metrics.
    struct EventMetric: Sendable {
        let name: String
        let help: String
        /// Histogram buckets in seconds, for a timer.
        var buckets: [Double] = []
    }

    /// The replay service's metrics (the server's, and a relay's with a replay endpoint).
    enum Replay {
        static let requests = EventMetric(
            name: "feed_replay_requests_total", help: "Replay requests answered, by operation and result (ok or error).")
        static let duration = EventMetric(
            name: "feed_replay_request_duration_seconds", help: "Time from a replay request's arrival to its reply queued, by operation.",
            buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10])
        static let droppedReplies = EventMetric(
            name: "feed_replay_dropped_replies_total", help: "Replay replies dropped: the client had too many unread or was gone.")
        static let all = [requests, duration, droppedReplies]
    }

    /// Every metric's name, scraped ones first.
    static var names: [String] { scraped.map(\.name) + Replay.all.map(\.name) }

    /// The help text of the metric called `name`, for the metrics backend.
    public static func help(for name: String) -> String? {
        scraped.first { $0.name == name }?.help ?? Replay.all.first { $0.name == name }?.help
    }

    /// Histogram buckets (seconds, for a timer) of the metric called `name`, if it defines its own.
    public static func buckets(for name: String) -> [Double]? {
        Replay.all.first { $0.name == name && !$0.buckets.isEmpty }?.buckets
    }
}
