import ArgumentParser
import CommandLineSupport
import Foundation
import Logging
import ServiceLifecycle

/// Logging set-up and plain stderr lines (the `ready` line tests and scripts wait for).
enum ServerLogging {
    static func bootstrap(level: Logger.Level, label: String) -> Logger {
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

/// `--log-level` names one of swift-log's levels; anything else is a usage error (exit 64) whose
/// one line lists them.
extension Logger.Level: @retroactive ExpressibleByArgument {}

/// Runs until SIGTERM or SIGINT (swift-service-lifecycle), then calls `stop` off the
/// cooperative thread pool, since stopping joins threads. `started` runs once the signal
/// handlers are in place: that is when a `ready` line may promise a clean stop on SIGTERM, and
/// that SIGHUP runs `hangup` (see ``HangupSignal``) instead of killing the process.
/// `stop` returns whether the history holds everything; when it does not, the process exits
/// 74 (EX_IOERR) with one line saying so, never 0.
struct ShutdownOnSignal: Service {
    let started: @Sendable () -> Void
    let stop: @Sendable () -> Bool

    static func run(
        logger: Logger, started: @escaping @Sendable () -> Void, hangup: @escaping @Sendable () -> Void,
        stop: @escaping @Sendable () -> Bool
    ) async throws {
        let hangups = await HangupSignal.trap(onHangup: hangup)
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: ShutdownOnSignal(started: started, stop: stop)),
                    // Shut down first (services stop in reverse order); its end must not cancel the stop above.
                    .init(service: hangups, successTerminationBehavior: .ignore),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }

    func run() async throws {
        started()
        try? await gracefulShutdown()
        let complete = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            Thread.detachNewThread { continuation.resume(returning: stop()) }
        }
        if !complete {
            ServerLogging.writeLine("history incomplete: messages were published that the history does not hold (see the log above)")
            throw ExitStatus.ioError.exitCode
        }
    }
}
