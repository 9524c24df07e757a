import FeedModel
import Testing

@Suite("Multicast frames: the whole message behind what a loss cut off")
struct MulticastFramesTests {
    @Test func aWholeMessageStartsAtItsFirstFrame() {
        #expect(MulticastFrames.firstOfWholeMessage(count: 2, readable: 8) == 0)
    }

    @Test func topicsOfCutMessagesLeadTheWholeMessage() {
        // [cut topic, topic, body] and two cuts in a row.
        #expect(MulticastFrames.firstOfWholeMessage(count: 3, readable: 8) == 1)
        #expect(MulticastFrames.firstOfWholeMessage(count: 4, readable: 8) == 2)
    }

    @Test func aLoneFrameOrFramesBeyondTheReadableHoldNoWholeMessage() {
        #expect(MulticastFrames.firstOfWholeMessage(count: 1, readable: 8) == nil)
        #expect(MulticastFrames.firstOfWholeMessage(count: 9, readable: 8) == nil)
    }
}
