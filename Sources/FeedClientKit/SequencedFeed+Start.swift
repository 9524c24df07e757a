import FeedModel

extension SequencedFeed {
    /// The history is replayed past the live point while it is recorded this far ahead of it.
    static let replayLeadLimit: UInt64 = 10_000

    /// Live first; then, as asked, history up to the live point.
    func start() throws {
        guard try live.waitUntilLive(timeoutMilliseconds: options.connectTimeoutMilliseconds), let since = live.liveSince
        else {
            throw ClientError(.unavailable, "nothing from \(live.endpoint) within \(options.connectTimeoutMilliseconds) ms (no heartbeat): is feed-server running?")
        }
        liveSince = since
        // A replay endpoint that is not there or is no replay service fails the subscription now,
        // named, rather than every repair later (each would wait for its timeout).
        try replay?.checkEndpoint()
        guard let replay, options.start != .live else {
            sequences.begin(since.session, wholeSession: false, checkedThrough: since.feedSequence)
            return
        }
        if case .sequence(let first) = options.start, first > since.feedSequence {
            // Starts beyond the live point: nothing to replay, and nothing before it is wanted.
            sequences.begin(since.session, wholeSession: false, checkedThrough: first - 1)
            pending.append(.replayCompleted(messages: 0))
            return
        }
        guard try waitUntilRecorded(session: since.session, through: since.feedSequence) != nil else {
            throw ClientError(.unavailable, "history at \(replay.endpoint) did not reach sequence \(since.feedSequence) in time")
        }
        if options.start == .snapshot {
            try startFromSnapshot(session: since.session, through: since.feedSequence)
            return
        }
        let query: HistoryQuery
        var end: (session: UInt32, feedSequence: UInt64)?
        switch options.start {
        case .sequence(let sequence):
            query = HistoryQuery(fromSequence: sequence, toSequence: since.feedSequence, session: since.session)
        case .time(let time):
            // Across sessions: only the stream knows where to stop.
            query = HistoryQuery(since: time)
            end = since
        default:
            query = HistoryQuery(fromSequence: 1, toSequence: since.feedSequence, session: since.session)
        }
        let merge = HistoryMerge(source: replay, query: query, prefixes: prefixes, endingAfter: end)
        work.append(.replay(StartupReplay(session: since.session, through: since.feedSequence, merge: merge)))
    }

    /// The latest message of every topic, then live. A topic not in the snapshot has not
    /// published yet, so the stream holds the session's last values from its start on.
    private func startFromSnapshot(session: UInt32, through feedSequence: UInt64) throws {
        sequences.begin(session, wholeSession: true, checkedThrough: feedSequence)
        var delivered = 0
        for message in try latestPerTopic() where message.session == session && sequences.position(of: message.topic, in: session) == nil {
            deliver(message, fromHistory: true)
            delivered += 1
        }
        pending.append(.replayCompleted(messages: delivered))
    }

    /// One page of the start-up replay; at its end, either on to what was recorded meanwhile
    /// or over to live.
    func advance(_ startup: StartupReplay) throws {
        var taken = 0
        while taken < HistoryMerge.pageBudget, let message = try startup.merge.next() {
            if historyExpiry == nil, let expired = startup.merge.expired { noteExpired(expired) }
            let before = fromHistory
            acceptFromHistory(message)
            startup.delivered += fromHistory - before
            taken += 1
        }
        if taken == HistoryMerge.pageBudget { return }
        if try extend(startup) { return }
        work.removeFirst()
        if !sequences.follows(startup.session) {
            beginFollowing(startup.session, checkedThrough: startup.through)  // Nothing of it in the history replayed.
        }
        sequences.noteChecked(through: startup.through, in: startup.session)
        pending.append(.replayCompleted(messages: startup.delivered))
    }

    /// The start-up replay reaches into history retention deleted. Each topic's missing
    /// beginning is reported as a gap with that reason when its first message comes
    /// (``acceptFromHistory(_:)``); a start from a feed sequence also gets the sequences that
    /// expired, as they cannot be named by topic.
    private func noteExpired(_ expired: HistoryExpiry) {
        historyExpiry = expired
        if case .sequence(let first) = options.start, let session = expired.session,
            let through = expired.expiredThroughSequence, first <= through
        {
            pending.append(.unverified(session: session, feedSequences: first...through, reason: "\(GapReason.expired(expired))"))
        }
    }

    /// Goes on replaying to what the history holds now when it is far ahead and the replay is
    /// catching up; live takes over otherwise.
    private func extend(_ startup: StartupReplay) throws -> Bool {
        guard let replay else { return false }
        let status = try replay.status()
        guard status.session == startup.session, status.recorded > startup.through else { return false }
        let lead = status.recorded - startup.through
        guard lead > Self.replayLeadLimit, lead < startup.lead else { return false }
        let query = HistoryQuery(fromSequence: startup.through + 1, toSequence: status.recorded, session: startup.session)
        startup.merge = HistoryMerge(source: replay, query: query, prefixes: prefixes)
        startup.through = status.recorded
        startup.lead = lead
        return true
    }

    /// The latest recorded message of every topic under the prefixes, in publish order: the
    /// snapshot's pages, all prefixes in each request.
    func latestPerTopic() throws -> [FeedMessage] {
        guard let replay else { return [] }
        var latest: [FeedMessage] = []
        try replay.forEachSnapshotPage(prefixes: prefixes, at: nil, pageSize: HistoryMerge.pageBudget) { page in
            latest += try page.decoded()
            return true
        }
        return latest.filter { $0.topic != .heartbeat }.sorted { ($0.session, $0.feedSequence) < ($1.session, $1.feedSequence) }
    }

    /// Waits for the history to hold `session` through `feedSequence`; returns how far it is
    /// known to hold it (`UInt64.max`: the session is over and its history final), or `nil` if
    /// it did not get there in time. Remembers what it learnt, so most waits cost nothing.
    func waitUntilRecorded(session: UInt32, through feedSequence: UInt64) throws -> UInt64? {
        if let known = knownRecorded, known.session == session, known.feedSequence >= feedSequence { return known.feedSequence }
        guard let replay,
            let recorded = try replay.waitUntilRecorded(
                session: session, through: feedSequence, timeoutMilliseconds: options.repairTimeoutMilliseconds)
        else { return nil }
        knownRecorded = (session, recorded)
        return recorded
    }
}
