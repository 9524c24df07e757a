#if canImport(Glibc)
import Glibc
#endif

/// A short pause of the calling (non-cooperative) thread while waiting on the server's state.
enum ThreadPause {
    static func milliseconds(_ milliseconds: Int) {
        var request = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}
