import ArgumentParser
import CommandLineSupport
import FeedClientKit
import FeedHistory
import FeedModel
import Foundation

/// Reports a runtime failure as one line on stderr and picks the sysexits code for it.
enum ClientFailure {
    static func exit(_ error: any Error) -> ExitCode {
        let status: ExitStatus
        switch error {
        case let error as ClientError:
            switch error.kind {
            case .unavailable: status = .unavailable
            case .rejected, .badData: status = .dataError
            }
        case is HistoryError:
            status = .noInput
        default:
            status = .failure
        }
        writeError("\(error)")
        return status.exitCode
    }

    static func writeError(_ line: String) {
        FileHandle.standardError.write(Data("feed-client: \(line)\n".utf8))
    }
}
