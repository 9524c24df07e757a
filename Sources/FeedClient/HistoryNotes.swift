import FeedClientKit
import FeedModel

/// Writes what a history answer says about the history itself to stderr, one line each: that
/// the query reaches into history retention deleted, and which damaged blocks were skipped.
enum HistoryNotes {
    static func write(expired: HistoryExpiry?, skipped: [SkippedBlock]) {
        if let expired {
            var line = "note: messages before \(expired.retainedFrom.map { "\(Timestamp(nanoseconds: $0))" } ?? "now")"
            if let session = expired.session, let through = expired.expiredThroughSequence {
                line += " (session \(session) through feed_seq \(through))"
            }
            ClientFailure.writeError(line + " expired from history (\(expired))")
        }
        for block in skipped { ClientFailure.writeError("warning: history \(block)") }
    }
}
