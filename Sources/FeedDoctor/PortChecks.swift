/// Whether each TCP endpoint the server binds is free. ipc:// and inproc:// endpoints and
/// wildcard ports (`*`) are not probed and get no line.
enum PortChecks {
    static func checks(_ endpoints: [DoctorPlan.BindEndpoint], binds: [String: HostFacts.BindOutcome]) -> [CheckResult] {
        endpoints.compactMap { bind in
            guard let outcome = binds[bind.endpoint] else { return nil }
            let subject = "\(bind.option) \(bind.endpoint)"
            let port = bind.endpoint.split(separator: ":").last.map(String.init) ?? ""
            switch outcome {
            case .free:
                return CheckResult(.ok, subject, "free")
            case .unresolvable(let host):
                return CheckResult(.fail, subject, "\(host) is not an address of this host", fix: "name an address that `ip -br addr` lists, or 127.0.0.1, or *")
            case .failed(let code) where code == ErrorText.addressInUse:
                return CheckResult(
                    .fail, subject, "port \(port) is in use",
                    fix: "ss -ltnp 'sport = :\(port)' names the process holding it; stop it or give \(bind.option) another port")
            case .failed(let code) where code == ErrorText.addressNotAvailable:
                return CheckResult(.fail, subject, "the address is not one of this host's", fix: "name an address that `ip -br addr` lists, or 127.0.0.1, or *")
            case .failed(let code) where code == ErrorText.permissionDenied:
                return CheckResult(.fail, subject, "ports below 1024 need CAP_NET_BIND_SERVICE", fix: "give \(bind.option) a port of 1024 or more")
            case .failed(let code):
                return CheckResult(.fail, subject, "cannot bind: \(ErrorText.describe(code))")
            }
        }
    }
}
