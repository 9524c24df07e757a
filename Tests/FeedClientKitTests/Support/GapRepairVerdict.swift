import FeedModel

@testable import FeedClientKit

/// What a subscriber got, checked against what was published, per topic of each session:
/// problems found, each a sentence (none: the subscription kept its promises).
///
/// 1. In order, contiguous, once: a topic's delivered messages and reported gaps, in the order
///    they came, each start right after the previous one ended; in a session followed from its
///    start, the first starts at topic sequence 1.
/// 2. Exact: every delivered message is the one published with that topic sequence.
/// 3. Complete: every published message the subscriber could know of (see ``isKnowable(_:)``) was
///    delivered, reported in a gap, or lies in a reported unverified range.
/// 4. Repaired when possible: a gap "not in history" names only messages the history lacks.
struct GapRepairVerdict {
    private(set) var problems: [String] = []

    init(_ simulation: GapRepairSimulation) {
        let published = simulation.published
        let byKey = Dictionary(uniqueKeysWithValues: published.map { (Key($0.message), $0) })
        var runs: [TopicKey: UInt64] = [:]  // The last topic sequence accounted for.
        var accounted: Set<Key> = []
        var unverified: [(session: UInt32, range: ClosedRange<UInt64>)] = []
        let liveStart = !simulation.scenario.fromSessionStart

        func account(_ key: TopicKey, _ sequences: ClosedRange<UInt64>, _ what: String) {
            if let last = runs[key] {
                if sequences.lowerBound != last &+ 1 { problems.append("\(what) after \(key) #\(last)") }
            } else if sequences.lowerBound != 1 && !(liveStart && key.session == GapRepairSimulation.firstSession) {
                problems.append("\(what) first of \(key), not from #1")
            }
            runs[key] = max(runs[key] ?? 0, sequences.upperBound)
        }

        for event in simulation.events {
            switch event {
            case .message(let message):
                let key = Key(message)
                account(TopicKey(message), message.topicSequence...message.topicSequence, "\(message.topic)#\(message.topicSequence) delivered")
                if byKey[key]?.message != message { problems.append("\(message.topic)#\(message.topicSequence) was never published so") }
                accounted.insert(key)
            case .gap(let topic, let session, let missing, let reason):
                account(TopicKey(topic: topic, session: session), missing, "gap \(topic) \(missing)")
                for sequence in missing {
                    let key = Key(topic: topic, session: session, topicSequence: sequence)
                    accounted.insert(key)
                    if reason == .notInHistory, byKey[key]?.recorded == true {
                        problems.append("gap \(topic) #\(sequence) of \(session) not in history, but it is")
                    }
                }
            case .unverified(let session, let range, _):
                unverified.append((session, range))
            case .heartbeat, .sessionChanged, .replayCompleted, .connectionLost, .lineSilent, .lineResumed:
                break
            }
        }

        func isUnverified(_ message: FeedMessage) -> Bool {
            unverified.contains { $0.session == message.session && $0.range.contains(message.feedSequence) }
        }
        for entry in published where !accounted.contains(Key(entry.message)) && !isUnverified(entry.message) {
            guard isKnowable(entry, in: simulation, unverified: isUnverified) else { continue }
            let message = entry.message
            problems.append("\(message.topic)#\(message.topicSequence)@\(message.session):\(message.feedSequence) neither delivered nor reported")
        }
    }

    /// Whether the subscriber could know of a message: it is after the start, and some message of
    /// its topic at or after it arrived live after the live point or is in the history outside
    /// the ranges reported unverified (else nothing the subscriber could check shows it was published). Starting live, nothing shows where a topic's messages after the live point
    /// begin but one of them known, at or before it.
    private func isKnowable(
        _ entry: GapRepairSimulation.Published, in simulation: GapRepairSimulation, unverified: (FeedMessage) -> Bool
    ) -> Bool {
        let message = entry.message
        let sameTopic = simulation.published.filter { $0.message.topic == message.topic && $0.message.session == message.session }
        let livePoint = simulation.livePoint
        let known = sameTopic.filter {
            ($0.recorded && !unverified($0.message))
                || ($0.receivedLive && ($0.message.session != livePoint.session || $0.message.feedSequence > livePoint.feedSequence))
        }
        guard known.contains(where: { $0.message.topicSequence >= message.topicSequence }) else { return false }
        guard !simulation.scenario.fromSessionStart, message.session == livePoint.session else { return true }
        return message.feedSequence > livePoint.feedSequence
            && known.contains { $0.message.feedSequence > livePoint.feedSequence && $0.message.topicSequence <= message.topicSequence }
    }

    private struct Key: Hashable {
        var topic: Topic
        var session: UInt32
        var topicSequence: UInt64
        init(topic: Topic, session: UInt32, topicSequence: UInt64) {
            self.topic = topic
            self.session = session
            self.topicSequence = topicSequence
        }
        init(_ message: FeedMessage) { self.init(topic: message.topic, session: message.session, topicSequence: message.topicSequence) }
    }

    private struct TopicKey: Hashable, CustomStringConvertible {
        var topic: Topic
        var session: UInt32
        init(topic: Topic, session: UInt32) {
            self.topic = topic
            self.session = session
        }
        init(_ message: FeedMessage) { self.init(topic: message.topic, session: message.session) }
        var description: String { "\(topic) of \(session)" }
    }
}
