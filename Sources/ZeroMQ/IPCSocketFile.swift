#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The socket file behind an `ipc://PATH` endpoint, which libzmq 4.3 handles carelessly twice:
/// binding first unlinks whatever is at PATH, so a second process silently takes over an
/// endpoint that another one is serving; and closing leaves the file behind (libzmq removes only
/// the files it named itself for `ipc://*`). ``ZMQSocket`` refuses a path that a live socket
/// answers on, and removes its own file when it closes.
struct IPCSocketFile {
    let path: String
    private let device: UInt64
    private let inode: UInt64

    /// The file path of an `ipc://` endpoint; `nil` for other transports, for the abstract
    /// namespace (`ipc://@name`, which the kernel itself refuses to share) and for `ipc://*`.
    static func path(of endpoint: String) -> String? {
        guard endpoint.hasPrefix("ipc://") else { return nil }
        let path = String(endpoint.dropFirst("ipc://".count))
        guard !path.isEmpty, path != "*", !path.hasPrefix("@") else { return nil }
        return path
    }

    /// Whether something accepts connections on `path` right now. A file nobody listens on (left
    /// by a process that was killed) is not in use, so a restart still binds.
    ///
    /// Checked just before binding; a process binding the same path in between still wins the
    /// race, which a file system without a lock-and-bind operation cannot prevent.
    static func isInUse(_ path: String) -> Bool {
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard probe >= 0 else { return false }
        defer { close(probe) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        let bytes = Array(path.utf8)
        guard bytes.count < capacity else { return false }  // libzmq reports the over-long path itself.
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(probe, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        // EAGAIN: a listener whose backlog is full, which is still a listener.
        return status == 0 || errno == EAGAIN || errno == EINPROGRESS
    }

    /// Identifies the file just bound at `path`; `nil` if there is none to identify.
    init?(boundAt path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        self.path = path
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }

    /// Removes the file if it is still the one this socket bound, never another process's file
    /// that replaced it.
    func remove() {
        var info = stat()
        guard stat(path, &info) == 0, UInt64(info.st_dev) == device, UInt64(info.st_ino) == inode else { return }
        unlink(path)
    }
}
