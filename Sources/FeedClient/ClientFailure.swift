import ArgumentParser
import FeedClientKit
import FeedHistory
import FeedModel
import Foundation

/// Reports a runtime failure as one line on stderr and picks the sysexits code for it.
enum ClientFailure {
    static func exit(_ error: any Error) -> ExitCode {
        let code: Int32
        switch error {
        case let error as ClientError:
            switch error.kind {
            case .unavailable: code = 69  // EX_UNAVAILABLE
            case .rejected, .badData: code = 65  // EX_DATAERR
            }
        case is HistoryError:
            code = 66  // EX_NOINPUT
        default:
            code = 1
        }
        writeError("\(error)")
        return ExitCode(code)
    }

    static func writeError(_ line: String) {
        FileHandle.standardError.write(Data("feed-client: \(line)\n".utf8))
    }
}
