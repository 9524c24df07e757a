/// Process and file-system limits: descriptors (RLIMIT_NOFILE) and free space for the history.
enum HostLimitChecks {
    static func descriptors(_ limit: Result<HostFacts.FileLimit, HostFacts.Unreadable>, wanted: UInt64) -> CheckResult {
        let subject = "descriptors (RLIMIT_NOFILE)"
        let fix = "LimitNOFILE=\(wanted) in the unit (deploy/feed-server.service), or `ulimit -Hn \(wanted)` as root in the shell that starts the server"
        switch limit {
        case .failure(let unreadable):
            return CheckResult(.warn, subject, "cannot read: \(unreadable)")
        case .success(let limit):
            let found = "soft \(format(limit.soft)), hard \(format(limit.hard))"
            let need = "each connection holds one"
            if limit.hard < 1024 { return CheckResult(.fail, subject, "\(found), below 1024; \(need)", fix: fix) }
            if limit.hard < wanted { return CheckResult(.warn, subject, "\(found), below the \(wanted) wanted; \(need)", fix: fix) }
            return CheckResult(.ok, subject, found)
        }
    }

    static func disk(_ space: Result<HostFacts.DiskSpace, HostFacts.Unreadable>, databasePath: String, minimumFreeBytes: UInt64) -> CheckResult {
        let subject = "disk for \(databasePath)"
        switch space {
        case .failure(let unreadable):
            return CheckResult(.fail, subject, "cannot measure: \(unreadable)", fix: "create the folder, or give --db a path on a mounted file system")
        case .success(let space):
            let found = "\(bytes(space.availableBytes)) free in \(space.folder)"
            guard space.availableBytes >= minimumFreeBytes else {
                return CheckResult(
                    .warn, subject, "\(found), below \(bytes(minimumFreeBytes))",
                    fix: "free space there (df -h \(space.folder)), or give --db a path on a bigger file system")
            }
            return CheckResult(.ok, subject, found)
        }
    }

    private static func format(_ limit: UInt64) -> String { limit == UInt64.max ? "unlimited" : String(limit) }

    /// `12.3 GiB`, `512.0 MiB`: one decimal, binary units.
    static func bytes(_ count: UInt64) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) bytes" : "\((value * 10).rounded() / 10) \(units[unit])"
    }
}
