/// A test fixture (a server, a peer, the lab network, a file) did not do what the test waited
/// for; failures of a child process itself are `ChildProcessFailure`s.
struct FixtureFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
