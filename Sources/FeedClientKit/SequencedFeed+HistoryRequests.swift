import FeedModel

/// A history read of a ``SequencedFeed`` under way, between its pages.
enum HistoryRead {
    /// The start-up replay, merged across prefixes.
    case merge(HistoryMerge)
    /// One topic's missing messages.
    case topic(HistoryStream)
}

extension SequencedFeed {
    /// Takes the next step of the machine's outstanding request (a page of a read, or a look-up)
    /// and hands the answer to the machine. A failure of a required request is thrown.
    func answerRequest() throws {
        guard let current = request else { return }
        guard let replay else { preconditionFailure("\(current) without a replay endpoint") }
        switch current {
        case .replay(let query, let end):
            try readStartupPage(query: query, endingAfter: end, from: replay)
        case .topicRange(let range):
            try readTopicPage(range, from: replay)
        case .awaitRecorded(let session, let through, let required):
            request = nil
            do {
                let recorded = try waitUntilRecorded(session: session, through: through)
                if required && recorded == nil {
                    throw ClientError(.unavailable, "history at \(replay.endpoint) did not reach sequence \(through) in time")
                }
                perform(machine.recorded(through: recorded))
            } catch let error as ClientError where !required {
                perform(machine.lookUpFailed(error.description))
            }
        case .lastRecorded(let session, let atMost):
            request = nil
            do {
                let recorded = try replay.lastRecorded(session: session, atMost: atMost)
                perform(machine.lastRecorded(recorded))
            } catch let error as ClientError {
                perform(machine.lookUpFailed(error.description))
            }
        case .latestPerTopic(let required):
            request = nil
            do {
                let latest = try latestPerTopic(from: replay, at: nil)
                try takeQueuedLiveEvents()
                perform(machine.latestPerTopic(latest))
            } catch let error as ClientError where !required {
                perform(machine.lookUpFailed(error.description))
            }
        case .livePositions(let point, let time):
            request = nil
            do {
                let whole = try holdsFromStart(session: point.session, replay)
                let latest = try latestPerTopic(from: replay, at: time)
                perform(machine.livePositions(latest, historyFromSessionStart: whole))
            } catch let error as ClientError {
                perform(machine.lookUpFailed(error.description))
            } catch let error as WireError {
                perform(machine.lookUpFailed("undecodable history: \(error)"))
            }
        case .status:
            request = nil
            let status = try replay.status()
            perform(machine.status(session: status.session, recorded: status.recorded))
        }
    }

    /// Hands the machine the live events already queued on the lines, at most
    /// ``queuedLiveEventsLimit``, without waiting. A request is outstanding, so they wait in its
    /// agenda, where a tail check sees which topics' next messages are already here
    /// (``TopicGap/isHeld(inOrderBy:)``) instead of reading each topic from history.
    private func takeQueuedLiveEvents() throws {
        for _ in 0..<Self.queuedLiveEventsLimit {
            guard let (line, event) = try lines.next(timeoutMilliseconds: 0) else { return }
            take(event, from: line)
        }
    }

    /// One page of the start-up replay; its failures end the subscription.
    private func readStartupPage(query: HistoryQuery, endingAfter end: FeedPoint?, from replay: ReplayClient) throws {
        var merge: HistoryMerge
        if case .merge(let open) = read {
            merge = open
        } else {
            merge = HistoryMerge(
                source: replay, query: query, prefixes: prefixes, endingAfter: end.map { ($0.session, $0.feedSequence) })
        }
        var page: [FeedMessage] = []
        while page.count < HistoryMerge.pageBudget, let message = try merge.next() { page.append(message) }
        let more = page.count == HistoryMerge.pageBudget
        endRead(unless: more, keeping: .merge(merge))
        if !page.isEmpty { perform(machine.replayPage(page, expired: merge.expired)) }
        if !more { perform(machine.replayDone(expired: merge.expired)) }
    }

    /// One page of a topic's missing messages; what goes wrong is the machine's to report.
    private func readTopicPage(_ range: TopicRange, from replay: ReplayClient) throws {
        var stream: HistoryStream?
        if case .topic(let open) = read { stream = open }
        var page: [FeedMessage] = []
        var failure: GapReason?
        do {
            if stream == nil {
                if let last = range.throughFeedSequence, try waitUntilRecorded(session: range.session, through: last) == nil {
                    failure = .historyUnavailable(
                        "the history had not recorded feed sequence \(last) after \(options.repairTimeoutMilliseconds) ms")
                } else {
                    let query = HistoryQuery(
                        prefix: try TopicPrefix(range.topic.rawValue), fromSequence: range.afterFeedSequence + 1,
                        toSequence: range.throughFeedSequence, session: range.session)
                    stream = HistoryStream(source: replay, query: query, pageSize: range.pageSize)
                }
            }
            while page.count < HistoryMerge.pageBudget, let message = try stream?.next() { page.append(message) }
        } catch let error as ClientError {
            failure = .historyUnavailable(error.description)
        } catch let error as WireError {
            failure = .historyUnavailable("undecodable history: \(error)")
        }
        let more = failure == nil && page.count == HistoryMerge.pageBudget
        endRead(unless: more, keeping: stream.map(HistoryRead.topic))
        if !page.isEmpty { perform(machine.replayPage(page, expired: nil)) }
        if let failure {
            perform(machine.replayFailed(failure))
        } else if !more {
            perform(machine.replayDone(expired: stream?.expired))
        }
    }

    /// Keeps the read open for its next page, or ends the request before its last answer is
    /// handed over (the machine may ask for the next one then).
    private func endRead(unless more: Bool, keeping open: HistoryRead?) {
        read = more ? open : nil
        if !more { request = nil }
    }

    /// The latest recorded message of every topic under the prefixes published by `time` (nil:
    /// of all): the snapshot's pages, all prefixes in each request.
    private func latestPerTopic(from replay: ReplayClient, at time: Timestamp?) throws -> [FeedMessage] {
        var latest: [FeedMessage] = []
        try replay.forEachSnapshotPage(prefixes: prefixes, at: time, pageSize: HistoryMerge.pageBudget) { page in
            latest += try page.decoded()
            return true
        }
        return latest
    }

    /// Whether the history holds `session` from its start: it holds the session's first message
    /// (a relay records a session from where it joined it) and nothing of the session expired.
    /// A one-message query of every topic; a server that only lets this client read some says no.
    private func holdsFromStart(session: UInt32, _ replay: ReplayClient) throws -> Bool {
        let page = try replay.page(HistoryQuery(fromSequence: 1, toSequence: 1, session: session, limit: 1), after: nil, maxMessages: 1)
        let first = try page.messages.decoded().first
        return page.expired == nil && first?.feedSequence == 1
    }

    /// Waits for the history to hold `session` through `feedSequence`; returns how far it is
    /// known to hold it (`UInt64.max`: the session is over and its history final), or `nil` if
    /// it did not get there in time. Remembers what it learnt, so most waits cost nothing.
    private func waitUntilRecorded(session: UInt32, through feedSequence: UInt64) throws -> UInt64? {
        if let known = knownRecorded, known.session == session, known.feedSequence >= feedSequence { return known.feedSequence }
        guard let replay,
            let recorded = try replay.waitUntilRecorded(
                session: session, through: feedSequence, timeoutMilliseconds: options.repairTimeoutMilliseconds)
        else { return nil }
        knownRecorded = FeedPoint(session: session, feedSequence: recorded)
        return recorded
    }
}
