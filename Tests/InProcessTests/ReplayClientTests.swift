import FeedClientKit
import FeedModel
import Foundation
import Testing
import ZeroMQ

/// The replay client against a replay endpoint that answers late: a reply to a request given
/// up on is never taken for the answer to a later one.
struct ReplayClientTests {
    @Test func lateReplyIsDroppedNotTakenForTheNextAnswer() async throws {
        let context = try ZMQContext()
        let endpoint = "inproc://late-replay-\(UUID().uuidString)"
        let (answered, done) = AsyncStream.makeStream(of: [UInt64].self)
        let bound = DispatchSemaphore(value: 0)
        // The server, on a thread of its own: holds every request until three have come (the
        // first, its resend, and the next call's), then answers all of them in order, each with
        // its own id as the session.
        let server = Thread {
            do {
                let router = try ZMQSocket(context, .router)
                try router.set(.linger, 0)
                try router.bind(endpoint)
                bound.signal()
                var held: [(identity: [UInt8], id: UInt64)] = []
                while held.count < 3 {
                    guard try router.waitReadable(timeoutMilliseconds: 10_000), let frames = try router.receiveFrames() else { break }
                    let request = try JSONDecoder().decode(ReplayRequest.self, from: Data(frames[1]))
                    held.append((frames[0], request.id ?? 0))
                }
                for (identity, id) in held {
                    let status = ServerStatus(
                        session: UInt32(id), lastFeedSeq: 0, published: 0, recorded: 0, rejected: [:], subscriptions: 0)
                    let reply = try JSONEncoder().encode(ReplayReply(ok: true, status: status, id: id))
                    try router.send(frames: [identity, Array(reply), []])
                }
                done.yield(held.map(\.id))
            } catch {
                done.yield([])
            }
            done.finish()
        }
        server.start()
        bound.wait()
        let client = try ReplayClient(context: context, endpoint: endpoint, timeoutMilliseconds: 300)
        #expect(throws: ClientError.self) { try client.status() }
        let status = try client.status()
        var iterator = answered.makeAsyncIterator()
        let ids = try #require(await iterator.next())
        #expect(ids.count == 3)
        #expect(status.session == UInt32(ids[2]), "took the answer to request \(status.session), asked \(ids)")
        #expect(client.staleReplies == 2)
    }
}
