#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// errno values and their text, for findings.
enum ErrorText {
    static let addressInUse = EADDRINUSE
    static let addressNotAvailable = EADDRNOTAVAIL
    static let permissionDenied = EACCES

    static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }
}
