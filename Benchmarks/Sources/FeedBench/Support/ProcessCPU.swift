#if canImport(Glibc)
import Glibc
#endif

/// CPU time of this process (user plus system, all threads) from `getrusage`: a helper program
/// reads it before and after its measured loop and reports the difference, which does not
/// depend on how busy the shared machine is.
enum ProcessCPU {
    /// User plus system CPU seconds used by this process so far.
    static func seconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
