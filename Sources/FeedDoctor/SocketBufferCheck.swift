/// A socket-buffer sysctl against the multicast rate: a burst of ``DoctorPlan/socketBufferMilliseconds``
/// at `--multicast-rate` should fit, or the kernel drops datagrams that PGM then has to repair.
enum SocketBufferCheck {
    static func check(_ name: String, value: Result<UInt64, HostFacts.Unreadable>?, plan: DoctorPlan) -> CheckResult {
        let wanted = plan.wantedSocketBufferBytes
        guard let value else { return CheckResult(.warn, name, "not read") }
        switch value {
        case .failure(let unreadable):
            return CheckResult(.warn, name, "cannot read: \(unreadable)")
        case .success(let bytes):
            let bytesPerSecond = max(UInt64(max(plan.multicastRateKilobits, 1)) * 1000 / 8, 1)
            let holds = "\(bytes) bytes hold \(bytes * 1000 / bytesPerSecond) ms at \(plan.multicastRateKilobits) kbit/s"
            guard bytes >= wanted else {
                return CheckResult(
                    .warn, name, "\(holds); \(plan.socketBufferMilliseconds) ms wants \(wanted)",
                    fix: "sysctl -w \(name)=\(wanted) (keep it in /etc/sysctl.d/90-feed-server.conf)")
            }
            return CheckResult(.ok, name, holds)
        }
    }
}
