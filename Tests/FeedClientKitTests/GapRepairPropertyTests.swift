import FeedModel
import PropertyBased
import Testing

@testable import FeedClientKit

/// Random interleavings of live traffic over several topics, losses, duplicates, recorder
/// holes, replay pages (overlapping live), failed look-ups and restarts, thrown at the gap
/// repair machine; every run must keep the promises ``GapRepairVerdict`` checks.
struct GapRepairPropertyTests {
    static let step = zip(Gen.int(in: 0...2), Gen.int(in: 0...9), Gen.int(in: 0...9), Gen.int(in: 0...19)).map {
        GapRepairSimulation.Scenario.Step(topic: $0.0, live: $0.1, recorded: $0.2, after: $0.3)
    }
    static let scenario = zip(step.array(of: 1...60), Gen.bool(), Gen.int(in: 0...100), Gen.int(in: 0...59).array(of: 1...40)).map {
        GapRepairSimulation.Scenario(steps: $0.0, fromSessionStart: $0.1, livePointPercent: $0.2, choices: $0.3)
    }

    @Test func everyTopicIsDeliveredInOrderOnceAndEveryLossRepairedOrReported() async {
        await propertyCheck(count: 2000, input: Self.scenario) { scenario in
            var simulation = GapRepairSimulation(scenario)
            simulation.run()
            let verdict = GapRepairVerdict(simulation)
            #expect(verdict.problems.isEmpty, "\(verdict.problems.prefix(5)) in \(simulation.events.map(\.description))")
        }
    }
}
