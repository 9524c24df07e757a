import FeedModel
import PropertyBased
import Testing

@testable import FeedClientKit

/// The A/B line arbitration: single steps with exact outputs, then random two-line traffic.
struct LineArbiterTests {
    static let grace: Int64 = 50_000_000
    static let ms: Int64 = 1_000_000

    static func trade(_ topic: String, _ topicSequence: UInt64, at feedSequence: UInt64) -> FeedMessage {
        GapRepairStateMachineTests.trade(topic, topicSequence, at: feedSequence)
    }

    static func arbiter(lines: Int = 2) -> LineArbiter {
        LineArbiter(lines: lines, graceMilliseconds: 50, silenceMilliseconds: 2000, now: 0)
    }

    /// Feeds one message and returns what went on.
    static func take(_ arbiter: LineArbiter, _ message: FeedMessage, line: Int, at now: Int64) -> [LineArbiter.Output] {
        var outputs: [LineArbiter.Output] = []
        arbiter.message(message, line: line, now: now, into: &outputs)
        return outputs
    }

    static func tick(_ arbiter: LineArbiter, at now: Int64) -> [LineArbiter.Output] {
        var outputs: [LineArbiter.Output] = []
        arbiter.tick(now: now, into: &outputs)
        return outputs
    }

    @Test func theFirstCopyWinsAndLaterCopiesAreDroppedAndCounted() {
        let arbiter = Self.arbiter()
        let a1 = Self.trade("X.A", 1, at: 1)
        let a2 = Self.trade("X.A", 2, at: 2)
        #expect(Self.take(arbiter, a1, line: 0, at: 1) == [.message(a1)])
        #expect(Self.take(arbiter, a1, line: 1, at: 2) == [])
        #expect(Self.take(arbiter, a2, line: 1, at: 3) == [.message(a2)])
        #expect(Self.take(arbiter, a2, line: 0, at: 4) == [])
        #expect(arbiter.figures.map(\.first) == [1, 1])
        #expect(arbiter.figures.map(\.laterCopies) == [1, 1])
        #expect(arbiter.figures.map(\.lost) == [0, 0])
    }

    /// A third line (past the two kept inline): its copies, losses and covers count like the others'.
    @Test func aThirdLineWinsLosesAndIsCoveredLikeTheFirstTwo() {
        let arbiter = Self.arbiter(lines: 3)
        #expect(Self.take(arbiter, Self.trade("X.A", 1, at: 1), line: 2, at: 0) == [.message(Self.trade("X.A", 1, at: 1))])
        #expect(Self.take(arbiter, Self.trade("X.A", 1, at: 1), line: 0, at: 1) == [])
        #expect(Self.take(arbiter, Self.trade("X.A", 2, at: 2), line: 1, at: 2) == [.message(Self.trade("X.A", 2, at: 2))])
        // Line 2 skips #2, which line 1 already brought: a loss on line 2, covered.
        #expect(Self.take(arbiter, Self.trade("X.A", 3, at: 3), line: 2, at: 3) == [.message(Self.trade("X.A", 3, at: 3))])
        let figures = arbiter.figures
        #expect(figures.map(\.first) == [0, 1, 2] && figures.map(\.laterCopies) == [1, 0, 0])
        #expect(figures[2].lost == 1 && figures[2].covered == 1 && figures[0].lost == 0)
    }

    @Test func aLossOnOneLineWaitsForTheOtherLineWhichCoversItWithinTheGrace() {
        let arbiter = Self.arbiter()
        let (a1, a2, a3) = (Self.trade("X.A", 1, at: 1), Self.trade("X.A", 2, at: 2), Self.trade("X.A", 3, at: 3))
        let b1 = Self.trade("X.B", 1, at: 4)
        _ = Self.take(arbiter, a1, line: 0, at: 0)
        // Line 0 lost X.A#2: its #3 is held, while other topics go on.
        #expect(Self.take(arbiter, a3, line: 0, at: 1 * Self.ms) == [])
        #expect(Self.take(arbiter, b1, line: 0, at: 2 * Self.ms) == [.message(b1)])
        #expect(arbiter.nextDeadline == 1 * Self.ms + Self.grace)
        #expect(Self.take(arbiter, a1, line: 1, at: 3 * Self.ms) == [])
        #expect(Self.take(arbiter, a2, line: 1, at: 4 * Self.ms) == [.message(a2), .message(a3)])
        #expect(Self.take(arbiter, a3, line: 1, at: 5 * Self.ms) == [])
        #expect(Self.tick(arbiter, at: 1 * Self.ms + Self.grace) == [])
        #expect(arbiter.figures[0].lost == 1 && arbiter.figures[0].covered == 1)
        #expect(arbiter.figures[1].lost == 0 && arbiter.figures[1].first == 1)
    }

    @Test func aLossTheOtherLineAlreadyBroughtIsCoveredAtOnce() {
        let arbiter = Self.arbiter()
        let (a1, a2, a3) = (Self.trade("X.A", 1, at: 1), Self.trade("X.A", 2, at: 2), Self.trade("X.A", 3, at: 3))
        _ = Self.take(arbiter, a1, line: 1, at: 0)
        _ = Self.take(arbiter, a2, line: 1, at: 1)
        _ = Self.take(arbiter, a1, line: 0, at: 2)
        // Line 0 skips #2, which line 1 brought already.
        #expect(Self.take(arbiter, a3, line: 0, at: 3) == [.message(a3)])
        #expect(arbiter.figures[0].lost == 1 && arbiter.figures[0].covered == 1)
    }

    @Test func aLossOnEveryLineGoesOnAsAJumpWhenTheGraceEnds() {
        let arbiter = Self.arbiter()
        let (a1, a3, a4) = (Self.trade("X.A", 1, at: 1), Self.trade("X.A", 3, at: 3), Self.trade("X.A", 4, at: 4))
        _ = Self.take(arbiter, a1, line: 0, at: 0)
        _ = Self.take(arbiter, a1, line: 1, at: 0)
        #expect(Self.take(arbiter, a3, line: 0, at: 10) == [])
        #expect(Self.take(arbiter, a4, line: 0, at: 11) == [])
        #expect(Self.take(arbiter, a3, line: 1, at: 12) == [])
        #expect(Self.tick(arbiter, at: 10 + Self.grace - 1) == [])
        #expect(Self.tick(arbiter, at: 10 + Self.grace) == [.message(a3), .message(a4)])
        #expect(arbiter.nextDeadline == nil)
        #expect(arbiter.figures.map(\.lost) == [1, 1] && arbiter.figures.map(\.covered) == [0, 0])
        // The copy after the grace is a later copy.
        #expect(Self.take(arbiter, a4, line: 1, at: 20 + Self.grace) == [])
    }

    @Test func aHeartbeatWaitsOutTheGraceAndNeverOvertakesAHoldThatBeganBeforeIt() {
        let arbiter = Self.arbiter()
        let (a1, a3) = (Self.trade("X.A", 1, at: 1), Self.trade("X.A", 3, at: 3))
        var outputs: [LineArbiter.Output] = []
        _ = Self.take(arbiter, a1, line: 0, at: 0)
        _ = Self.take(arbiter, a3, line: 0, at: 5)
        arbiter.heartbeat(session: GapRepairStateMachineTests.session, feedSequence: 3, line: 0, now: 5, into: &outputs)
        arbiter.heartbeat(session: GapRepairStateMachineTests.session, feedSequence: 3, line: 1, now: 6, into: &outputs)
        #expect(outputs.isEmpty)
        #expect(
            Self.tick(arbiter, at: 5 + Self.grace)
                == [.message(a3), .heartbeat(session: GapRepairStateMachineTests.session, feedSequence: 3)])
        #expect(Self.tick(arbiter, at: 10 * Self.grace) == [], "the second line's copy of the heartbeat is not passed again")
        // Idle: the publisher repeats the heartbeat every period, on both lines; one a period passes,
        // also when line 0 stops bringing them.
        for (line, at) in [(0, 20), (1, 21), (1, 40)] {
            arbiter.heartbeat(session: GapRepairStateMachineTests.session, feedSequence: 3, line: line, now: Int64(at) * Self.grace, into: &outputs)
        }
        #expect(
            Self.tick(arbiter, at: 50 * Self.grace)
                == Array(repeating: .heartbeat(session: GapRepairStateMachineTests.session, feedSequence: 3), count: 2))
        arbiter.heartbeat(session: GapRepairStateMachineTests.session, feedSequence: 0, line: 0, now: 51 * Self.grace, into: &outputs)
        #expect(outputs.isEmpty && Self.tick(arbiter, at: 60 * Self.grace) == [], "an older heartbeat is not passed")
    }

    @Test func aLineThatFallsSilentWhileAnotherDeliversIsReportedOnceAndWhenItResumes() {
        let arbiter = Self.arbiter()
        let second = 1_000 * Self.ms
        _ = Self.take(arbiter, Self.trade("X.A", 1, at: 1), line: 0, at: 0)
        _ = Self.take(arbiter, Self.trade("X.A", 1, at: 1), line: 1, at: 0)
        _ = Self.take(arbiter, Self.trade("X.A", 2, at: 2), line: 1, at: 1 * second)
        #expect(arbiter.nextDeadline == 2 * second)
        #expect(Self.tick(arbiter, at: 2 * second) == [.lineSilent(line: 0, milliseconds: 2000)])
        #expect(Self.tick(arbiter, at: 3 * second) == [])
        #expect(Self.take(arbiter, Self.trade("X.A", 3, at: 3), line: 0, at: 4 * second) == [.lineResumed(line: 0), .message(Self.trade("X.A", 3, at: 3))])
        // Line 1 has brought nothing since 1 s, line 0 something at 4 s.
        #expect(arbiter.nextDeadline == 3 * second)
        #expect(Self.tick(arbiter, at: 4 * second) == [.lineSilent(line: 1, milliseconds: 3000)])
        // Both lines bring the next message within half the limit: quiet is not silence.
        _ = Self.take(arbiter, Self.trade("X.A", 4, at: 4), line: 0, at: 5 * second)
        _ = Self.take(arbiter, Self.trade("X.A", 4, at: 4), line: 1, at: 5 * second + 999 * Self.ms)
        #expect(arbiter.nextDeadline == nil)
        #expect(Self.tick(arbiter, at: 100 * second) == [])
    }

    // MARK: Random traffic on two lines

    /// One published message: its topic (0-2) and its fate on each line (0: lost, else carried
    /// with that many milliseconds of extra latency, below the grace).
    struct Step: Sendable, CustomStringConvertible {
        var topic: Int
        var lines: [Int]
        var description: String { "\(topic)/\(lines[0])/\(lines[1])" }
    }

    static let step = zip(Gen.int(in: 0...2), Gen.int(in: 0...12), Gen.int(in: 0...12)).map { Step(topic: $0.0, lines: [$0.1, $0.2]) }

    /// Messages carried by either line come out once each, in each topic's order, and a jump
    /// is left only where both lines lost the message; every line's figures add up.
    @Test func everyMessageEitherLineCarriedComesOutOnceInOrder() async {
        await propertyCheck(count: 1000, input: Self.step.array(of: 1...80)) { steps in
            let topics = ["X.A", "X.B", "X.C"]
            var published: [FeedMessage] = []
            var topicSequences = [UInt64](repeating: 0, count: topics.count)
            var arrivals: [(time: Int64, line: Int, message: FeedMessage)] = []
            var carried: [[Bool]] = [[], []]
            for (index, step) in steps.enumerated() {
                topicSequences[step.topic] += 1
                let message = Self.trade(topics[step.topic], topicSequences[step.topic], at: UInt64(index + 1))
                published.append(message)
                for line in 0..<2 {
                    // A topic's first message is on both lines (a first message passes at once: rule 3).
                    let isCarried = step.lines[line] > 0 || topicSequences[step.topic] == 1
                    carried[line].append(isCarried)
                    // Per line in publish order; the lines' latencies differ by less than the grace.
                    if isCarried { arrivals.append((Int64(index) * Self.ms + Int64(step.lines[line]) * 3 * Self.ms, line, message)) }
                }
            }
            for line in 0..<2 {  // Each line is in order: later latencies never overtake.
                var last: Int64 = 0
                for index in arrivals.indices where arrivals[index].line == line {
                    last = max(last, arrivals[index].time)
                    arrivals[index].time = last
                }
            }
            arrivals.sort { ($0.time, $0.message.feedSequence, $0.line) < ($1.time, $1.message.feedSequence, $1.line) }

            let arbiter = LineArbiter(lines: 2, graceMilliseconds: 50, silenceMilliseconds: 60_000, now: 0)
            var outputs: [LineArbiter.Output] = []
            for arrival in arrivals {
                while let due = arbiter.nextDeadline, due <= arrival.time { arbiter.tick(now: due, into: &outputs) }
                arbiter.message(arrival.message, line: arrival.line, now: arrival.time, into: &outputs)
            }
            while let due = arbiter.nextDeadline { arbiter.tick(now: due, into: &outputs) }

            let delivered = outputs.compactMap { output -> FeedMessage? in
                if case .message(let message) = output { message } else { nil }
            }
            let expected = published.indices.filter { carried[0][$0] || carried[1][$0] }.map { published[$0] }
            for topic in topics {
                let got = delivered.filter { $0.topic.rawValue == topic }.map(\.topicSequence)
                let want = expected.filter { $0.topic.rawValue == topic }.map(\.topicSequence)
                #expect(got == want, "\(topic): \(got) != \(want) in \(steps)")
            }
            let figures = arbiter.figures
            #expect(figures.map(\.first).reduce(0, +) == delivered.count)
            #expect(figures.map(\.laterCopies).reduce(0, +) == arrivals.count - delivered.count)
            for line in 0..<2 {
                // What the line skipped between its first and last message of each topic.
                var lost: UInt64 = 0
                var covered: UInt64 = 0
                for topic in topics {
                    let indices = published.indices.filter { published[$0].topic.rawValue == topic }
                    guard let lastCarried = indices.last(where: { carried[line][$0] }) else { continue }
                    for index in indices where index < lastCarried && !carried[line][index] {
                        lost += 1
                        if carried[1 - line][index] { covered += 1 }
                    }
                }
                #expect(figures[line].lost == lost && figures[line].covered == covered, "line \(line): \(figures[line]) in \(steps)")
            }
        }
    }
}
