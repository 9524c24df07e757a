import Foundation

/// Resident memory of a process, in bytes.
public struct MemoryUse: Sendable {
    /// Resident now (VmRSS).
    public var resident: Int
    /// Resident at its peak so far (VmHWM).
    public var peak: Int
}

extension ChildProcess {
    /// User plus system CPU time so far, in seconds, from /proc (nil once the process has gone).
    public var cpuSeconds: Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(processIdentifier)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name: state is field 3, utime 14, stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Resident memory now and at its peak, from /proc (nil once the process has gone).
    public var memory: MemoryUse? {
        guard let status = try? String(contentsOfFile: "/proc/\(processIdentifier)/status", encoding: .utf8) else {
            return nil
        }
        func kilobytes(_ field: String) -> Int? {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else { return nil }
            return line.split(separator: " ").compactMap { Int($0) }.first
        }
        guard let resident = kilobytes("VmRSS"), let peak = kilobytes("VmHWM") else { return nil }
        return MemoryUse(resident: resident * 1024, peak: peak * 1024)
    }
}
