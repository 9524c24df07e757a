#if canImport(Glibc)
import Glibc
#endif

/// CPU time (user plus system, all threads) from `getrusage`: a helper program reads its own
/// before and after its measured loop, the runner its children's around a command; unlike wall
/// time, neither depends much on how busy the shared machine is.
enum ProcessCPU {
    /// User plus system CPU seconds used by this process so far.
    static func seconds() -> Double { seconds(RUSAGE_SELF) }

    /// User plus system CPU seconds used by this process's children that have ended and been
    /// reaped so far.
    static func childrenSeconds() -> Double { seconds(RUSAGE_CHILDREN) }

    private static func seconds(_ who: __rusage_who) -> Double {
        var usage = rusage()
        getrusage(who.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
