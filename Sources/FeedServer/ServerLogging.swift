import Foundation
import Logging
import ServiceLifecycle

/// Logging set-up and plain stderr lines (the `ready` line tests and scripts wait for).
enum ServerLogging {
    static func bootstrap(level: String, label: String) -> Logger {
        let level = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: label)
    }

    static func writeLine(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// Runs until SIGTERM or SIGINT (swift-service-lifecycle), then calls `stop` off the
/// cooperative thread pool, since stopping joins threads. `started` runs once the signal
/// handlers are in place: that is when a `ready` line may promise a clean stop on SIGTERM.
struct ShutdownOnSignal: Service {
    let started: @Sendable () -> Void
    let stop: @Sendable () -> Void

    static func run(logger: Logger, started: @escaping @Sendable () -> Void, stop: @escaping @Sendable () -> Void) async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: ShutdownOnSignal(started: started, stop: stop))],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }

    func run() async throws {
        started()
        try? await gracefulShutdown()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                stop()
                continuation.resume()
            }
        }
    }
}
