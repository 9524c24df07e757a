import FeedModel
import Testing

@testable import FeedClientKit

/// The gap repair machine's misuse, in an exit test. It lives here, in the pass that starts no
/// other child process (scripts/test.sh runs InProcessTests on its own): beside tests that
/// start programs through Foundation's `Process`, swift-testing's wait for its exit-test child
/// and Foundation's for its own children hung each other in 2 of 6 runs (both left as zombies).
struct GapRepairMisuseTests {
    @Test func anAnswerTheMachineDidNotAskForIsAProgrammingError() async {
        await #expect(processExitsWith: .failure) {
            var machine = GapRepairStateMachine(configuration: .init(start: .live, canRepair: true))
            _ = machine.start(livePoint: FeedPoint(session: 1, feedSequence: 0))
            _ = machine.replayDone(expired: nil)
        }
    }
}
