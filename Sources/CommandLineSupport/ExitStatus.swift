import ArgumentParser

/// The exit statuses of `feed-server` and `feed-client`, named as in sysexits(3) so that scripts
/// and tests can tell a bad argument from a missing file from an unreachable server.
public enum ExitStatus: Int32, Sendable {
    /// A check failed, or an error with no more specific status.
    case failure = 1
    /// Bad command-line arguments (EX_USAGE).
    case usage = 64
    /// The input was malformed: a rejected line, a file that is not a history (EX_DATAERR).
    case dataError = 65
    /// An input file does not exist or cannot be opened (EX_NOINPUT).
    case noInput = 66
    /// A server or upstream could not be reached, or a daemon could not start (EX_UNAVAILABLE).
    case unavailable = 69
    /// An output file cannot be created, for instance because it exists (EX_CANTCREAT).
    case cannotCreate = 73
    /// A file could not be read or written completely (EX_IOERR).
    case ioError = 74

    /// The status as swift-argument-parser's error, to `throw`.
    public var exitCode: ExitCode { ExitCode(rawValue) }
}
