import Logging
import ZeroMQ

/// Decides, for every CURVE handshake on its context, whether the client's key is in the
/// ``ClientAllowList``: a known key is admitted with the client's name as its `User-Id`, which
/// the threads enforcing entitlements read from each message; any other is refused (status 400),
/// logged and counted, and libzmq closes the connection before a byte of the feed is sent.
///
/// Owns the REP socket bound to ``ZAPRequest/endpoint`` on its own thread. It must run before
/// any CURVE socket of the context binds: libzmq admits every client when no handler answers.
final class ZAPHandler {
    private let socket: ZMQSocket
    private let control: ZMQSocket
    private let clients: ClientAllowList
    private let counters: ServerCounters
    private let logger: Logger

    init(context: ZMQContext, controlEndpoint: String, clients: ClientAllowList, counters: ServerCounters, logger: Logger) throws {
        control = try ControlChannel.bind(context, controlEndpoint)
        socket = try ZMQSocket(context, .rep)
        try socket.set(.linger, 0)
        try socket.bind(ZAPRequest.endpoint)
        self.clients = clients
        self.counters = counters
        self.logger = logger
    }

    /// Answers requests until stopped through the control endpoint or the context shuts down.
    func run() {
        do {
            while true {
                let ready = try ZMQPoller.poll([control, socket], timeoutMilliseconds: -1)
                if ready[0] { return }
                if ready[1], let frames = try socket.receiveFrames(dontWait: true) { try socket.send(frames: answer(frames)) }
            }
        } catch let error as ZMQError where error.isContextTerminated {
            logger.debug("ZAP handler stopping")
        } catch {
            logger.critical("ZAP handler stopped on error: \(error); CURVE clients can no longer connect")
        }
    }

    private func answer(_ frames: [[UInt8]]) -> [[UInt8]] {
        guard let request = ZAPRequest(frames: frames) else {
            // Not ZAP 1.0: a REP must still answer, and nothing admits.
            logger.warning("ZAP request that is not ZAP 1.0 refused")
            return [Array("1.0".utf8), frames.count > 1 ? frames[1] : [], Array("500".utf8), Array("bad request".utf8), [], []]
        }
        if let key = request.curvePublicKey, let client = clients.client(publicKey: key) {
            logger.debug("CURVE client \(client.name) admitted from \(request.address)")
            return request.admit(as: client.name)
        }
        let count = counters.refuseKey()
        let key = request.curvePublicKey ?? "(\(request.mechanism), no CURVE key)"
        logger.warning(occurrence: count, "CURVE key \(key) from \(request.address) refused: not in \(clients.folder) (#\(count))")
        return request.refuse("key not allowed")
    }
}

@available(*, unavailable)
extension ZAPHandler: Sendable {}
