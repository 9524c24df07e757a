import Logging
import ZeroMQ

extension WorkerThread {
    /// Starts a ``ZAPHandler`` for `settings` on `context` in a thread of its own; `nil`
    /// without CURVE. Start it before binding any CURVE socket, and stop it after closing them.
    static func startZAP(
        settings: CurveServerSettings?, context: ZMQContext, controlEndpoint: String, counters: ServerCounters, logger: Logger
    ) throws -> WorkerThread? {
        guard let settings else { return nil }
        settings.clients.logProblems(logger)
        logger.info("CURVE on: \(settings.clients.count) clients from \(settings.clients.folder)")
        return try WorkerThread.start(name: "zap") {
            UncheckedTransfer(
                try ZAPHandler(
                    context: context, controlEndpoint: controlEndpoint, clients: settings.clients, counters: counters, logger: logger))
        } run: { handler in
            handler.value.run()
        }
    }
}
