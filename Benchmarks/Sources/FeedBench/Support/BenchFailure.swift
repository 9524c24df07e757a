/// A benchmark could not run as planned; the message says what went wrong. (A program that did
/// not do what was waited for throws `ChildProcessFailure`.)
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
