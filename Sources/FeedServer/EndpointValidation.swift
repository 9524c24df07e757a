import ArgumentParser

/// Checks endpoint syntax before libzmq sees it, so a typo is a usage error (exit 64) with a
/// reason, not a libzmq errno later.
enum EndpointValidation {
    static func check(_ endpoint: String, option: String) throws {
        if endpoint.hasPrefix("tcp://") {
            let address = endpoint.dropFirst("tcp://".count)
            guard let colon = address.lastIndex(of: ":"), colon != address.startIndex else {
                throw ValidationError("\(option) \(endpoint): expected tcp://HOST:PORT")
            }
            let port = address[address.index(after: colon)...]
            guard port == "*" || (Int(port).map { (1...65535).contains($0) } ?? false) else {
                throw ValidationError("\(option) \(endpoint): port must be 1-65535 or *")
            }
        } else if endpoint.hasPrefix("ipc://") || endpoint.hasPrefix("inproc://") {
            let name = endpoint.drop { $0 != "/" }.dropFirst(2)
            guard !name.isEmpty else { throw ValidationError("\(option) \(endpoint): missing path or name") }
        } else {
            throw ValidationError("\(option) \(endpoint): use tcp://, ipc:// or inproc://")
        }
    }
}
