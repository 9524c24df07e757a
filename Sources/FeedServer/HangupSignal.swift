import ServiceLifecycle
import UnixSignals

/// What SIGHUP does to `feed-server` and its relay: the signal no longer kills the process (its
/// default action); each one runs `onHangup`, which logs one status line. Nothing is reopened or
/// reread yet: a later "reload" (a clients folder reread, say) belongs in `onHangup`.
///
/// The signal is trapped before the daemon prints its `ready` line (see ``ShutdownOnSignal``), so
/// a SIGHUP sent after `ready` never falls on the default action.
struct HangupSignal: Service {
    let signals: UnixSignalsSequence
    let onHangup: @Sendable () -> Void

    /// Traps SIGHUP now; the returned service handles each one until graceful shutdown.
    static func trap(onHangup: @escaping @Sendable () -> Void) async -> HangupSignal {
        HangupSignal(signals: await UnixSignalsSequence(trapping: .sighup), onHangup: onHangup)
    }

    func run() async throws {
        for await _ in signals.cancelOnGracefulShutdown() { onHangup() }
    }
}
