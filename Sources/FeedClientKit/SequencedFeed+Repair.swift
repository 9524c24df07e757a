import FeedModel

extension SequencedFeed {
    /// One page of a fill; at its end, what was not found is reported.
    func advance(_ fill: Fill) throws {
        do {
            if fill.stream == nil {
                guard try open(fill) else {
                    finish(fill)
                    return
                }
            }
            var taken = 0
            while taken < HistoryMerge.pageBudget, let message = try fill.stream?.next() {
                taken += 1
                // The query is by prefix: a longer topic can start with this one.
                if message.topic == fill.topic { acceptFromHistory(message) }
            }
            if taken == HistoryMerge.pageBudget { return }
            if let expired = fill.stream?.expired { fill.failure = .expired(expired) }
        } catch let error as ClientError {
            fill.failure = .historyUnavailable(error.description)
        } catch let error as WireError {
            fill.failure = .historyUnavailable("undecodable history: \(error)")
        }
        finish(fill)
    }

    /// Starts reading a fill's window; `false` when there is nothing to read or no way to.
    private func open(_ fill: Fill) throws -> Bool {
        if fill.windowIsEmpty { return false }
        guard let replay else {
            fill.failure = .noReplayEndpoint
            return false
        }
        if let last = fill.throughFeedSequence, try waitUntilRecorded(session: fill.session, through: last) == nil {
            fill.failure = .historyUnavailable(
                "the history had not recorded feed sequence \(last) after \(options.repairTimeoutMilliseconds) ms")
            return false
        }
        let query = HistoryQuery(
            prefix: try TopicPrefix(fill.topic.rawValue), fromSequence: fill.afterFeedSequence + 1,
            toSequence: fill.throughFeedSequence, session: fill.session)
        // Usually the window holds just the missing messages: ask for that many at once.
        let missing = fill.from.flatMap { from in fill.through.map { $0 >= from ? $0 - from + 1 : 1 } }
        let pageSize = Int(min(missing ?? UInt64(HistoryMerge.pageBudget), UInt64(HistoryMerge.pageBudget)))
        fill.stream = HistoryStream(source: replay, query: query, pageSize: pageSize)
        return true
    }

    /// Reports what a fill did not find and settles the topic through the fill's end.
    private func finish(_ fill: Fill) {
        work.removeFirst()
        guard let through = fill.through else {
            if case .historyUnavailable(let reason) = fill.failure {
                // The end of a session could not be read: say so, without topics.
                reportUnverified(session: fill.session, reason: "history unavailable for \(fill.topic): \(reason)")
            }
            return
        }
        let position = sequences.position(of: fill.topic, in: fill.session)
        let next = position.map { $0.topicSequence &+ 1 } ?? fill.from
        if let next, next <= through {
            reportGap(fill.topic, session: fill.session, missing: next...through, reason: fill.failure ?? .notInHistory)
        } else if next == nil, case .historyUnavailable(let reason) = fill.failure {
            // First seen mid-session and its history unreadable: how much it lost is unknown.
            reportUnverified(
                session: fill.session, from: fill.afterFeedSequence + 1, through: fill.throughFeedSequence,
                reason: "history unavailable for \(fill.topic): \(reason)")
        }
        let last = max(fill.throughFeedSequence ?? fill.afterFeedSequence, position?.feedSequence ?? 0)
        sequences.settle(fill.topic, in: fill.session, through: .init(topicSequence: through, feedSequence: last))
    }

    /// Compares the latest recorded message of every topic with what was delivered, and fetches
    /// what is missing (a loss at a topic's tail shows no jump until its next message).
    func checkTail(session: UInt32, through feedSequence: UInt64) throws {
        if !sequences.follows(session) {
            if let current = sequences.current, session > current {
                work.prepend(contentsOf: [.endSession(next: session), .tailCheck(session: session, through: feedSequence)])
            } else {
                // Another origin's session through a relay: joined from here.
                sequences.begin(session, wholeSession: false, checkedThrough: feedSequence)
            }
            return
        }
        sequences.notePublished(feedSequence, in: session)
        guard feedSequence > sequences.checkedThrough(in: session), replay != nil else { return }
        let latest: [FeedMessage]
        do {
            guard let recorded = try waitUntilRecorded(session: session, through: feedSequence) else { return }
            // A session that is over may have ended before it was all recorded.
            if recorded == .max { try reportUnrecorded(in: session, through: feedSequence) }
            latest = try latestPerTopic()
        } catch is ClientError {
            return  // Cannot check now: the next heartbeat tries again.
        }
        let fills = latest.filter { $0.session == session }.compactMap(tailFill(for:)).map(Work.fill)
        work.prepend(contentsOf: fills + [.checked(session: session, through: feedSequence)])
    }

    /// The fill that brings a topic up to `latest`, its latest recorded message, if the topic is
    /// behind it in that message's session.
    private func tailFill(for latest: FeedMessage) -> Fill? {
        let session = latest.session
        let checked = sequences.checkedThrough(in: session)
        let from: UInt64?
        let after: UInt64
        if let position = sequences.position(of: latest.topic, in: session) {
            guard latest.topicSequence > position.topicSequence else { return nil }
            (from, after) = (position.topicSequence + 1, position.feedSequence)
        } else if sequences.coversWholeSession(session) {
            (from, after) = (1, checked)
        } else {
            guard latest.feedSequence > checked else { return nil }  // Before the start.
            (from, after) = (nil, checked)
        }
        return Fill(
            topic: latest.topic, session: session, from: from, through: latest.topicSequence, afterFeedSequence: after,
            throughFeedSequence: latest.feedSequence)
    }

    /// The publisher moved on to `next`: the old session's history is final, so its tail is
    /// fetched before the new session begins.
    func endSession(next: UInt32) throws {
        guard let old = sequences.current, next > old else { return }
        guard replay != nil else {
            work.prepend(.beginSession(next))
            return
        }
        var fills: [Work] = []
        do {
            for latest in try latestPerTopic() {
                if latest.session == old {
                    if let fill = tailFill(for: latest) { fills.append(.fill(fill)) }
                } else if latest.session > old {
                    // Published since in a later session: its last message in the old one is unknown.
                    let position = sequences.position(of: latest.topic, in: old)
                    let fill = Fill(
                        topic: latest.topic, session: old, from: position.map { $0.topicSequence &+ 1 }, through: nil,
                        afterFeedSequence: position?.feedSequence ?? sequences.checkedThrough(in: old), throughFeedSequence: nil)
                    fills.append(.fill(fill))
                }
            }
        } catch let error as ClientError {
            reportUnverified(session: old, reason: "history unavailable: \(error)")
        }
        work.prepend(contentsOf: fills + [.beginSession(next)])
    }

    /// Reports what the old session published but never recorded, then follows `next` from its start.
    func beginSession(_ next: UInt32) throws {
        guard let old = sequences.current else { return }
        do {
            try reportUnrecorded(in: old, through: sequences.highestPublished(in: old))
        } catch let error as ClientError {
            reportUnverified(session: old, reason: "history unavailable: \(error)")
        }
        pending.append(.sessionChanged(from: old, to: next))
        sequences.begin(next, wholeSession: true, checkedThrough: 0)
    }

    /// Reports what a session that is over published through `published` but never recorded
    /// (its publisher was killed before writing it), beyond what is known complete.
    private func reportUnrecorded(in session: UInt32, through published: UInt64) throws {
        let checked = sequences.checkedThrough(in: session)
        guard let replay, published > checked else { return }
        let recorded = try replay.lastRecorded(session: session, atMost: published)
        if recorded < published {
            reportUnverified(
                session: session, from: max(recorded, checked) + 1, through: published,
                reason: "never recorded: the publisher stopped before writing them to history")
        }
    }

    /// Reports feed sequences of `session` that could not be checked for losses: by default,
    /// everything after what is known complete up to the highest known published. The same
    /// range is reported once, however many look-ups failed on it.
    private func reportUnverified(session: UInt32, from: UInt64? = nil, through: UInt64? = nil, reason: String) {
        let first = from ?? (sequences.checkedThrough(in: session) &+ 1)
        let last = through ?? sequences.highestPublished(in: session)
        guard first > 0, first <= last else { return }
        if let previous = lastUnverified, previous.session == session, previous.feedSequences == first...last { return }
        lastUnverified = (session, first...last)
        pending.append(.unverified(session: session, feedSequences: first...last, reason: reason))
    }
}
