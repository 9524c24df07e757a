import FeedHistory
import FeedModel
import Logging
import ZeroMQ

extension WorkerThread {
    /// Starts a ``ReplayService`` on a thread of its own, serving `store` on `endpoint` (the
    /// server's and the relay's alike); returns once it is bound, with the endpoint as bound.
    /// Stopped by a message to `controlEndpoint` (``ControlChannel/sendStop(context:endpoint:)``).
    static func startReplay(
        context: ZMQContext, endpoint: String, controlEndpoint: String, store: HistoryStore, pageLimit: Int,
        connectionLimit: Int, counters: ServerCounters, clients: CurveServerSettings?,
        status: @escaping @Sendable () -> ServerStatus, logger: Logger
    ) throws -> (thread: WorkerThread, endpoint: String) {
        let bound = SetUpValue<String>("")
        let thread = try WorkerThread.start(name: "replay") {
            let service = try ReplayService(
                context: context, endpoint: endpoint, controlEndpoint: controlEndpoint, store: store, pageLimit: pageLimit,
                connectionLimit: connectionLimit, counters: counters, clients: clients, status: status, logger: logger)
            bound.value = service.endpoint
            return UncheckedTransfer(service)
        } run: { service in
            service.value.run()
        }
        return (thread, bound.value)
    }
}
