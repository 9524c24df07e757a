import Foundation
import Synchronization
import Testing
import ZeroMQ

/// The ZeroMQ module alone decides that a context whose sockets used PGM is never terminated
/// (`zmq_ctx_term` can hang in libpgm, libzmq issue 822): its owner just drops it. Proved from
/// the context's own libzmq threads, which `zmq_ctx_term` ends: they must outlive a dropped
/// context that used PGM, and must not outlive one that did not.
///
/// The sockets run on a thread of this process moved into a lab namespace (a network namespace
/// belongs to a thread, and threads it starts inherit it), so the multicast stays in the lab and
/// the libzmq threads of these contexts, alone in this process, are found by their namespace.
/// A context that used PGM keeps its threads, and the namespace, until the test process exits.
@Suite(.enabled(if: LabNetwork.isAvailable, "needs root and network namespaces (scripts/netns-lab.sh check)"))
struct PGMContextTests {
    /// libzmq threads in the lab that the probe thread saw while each context lived and after.
    struct Observation: Sendable {
        var whileTCPContextLives = -1
        var afterTCPContext = -1
        var afterPGMContext = -1
    }

    @Test func aContextThatUsedPGMIsNeverTerminatedAndOneThatDidNotIs() throws {
        let lab = try LabNetwork()
        let namespace = lab.namespace("sub1")
        let endpoint = "epgm://\(try lab.address("sub1"));239.192.7.9:5609"
        let observed = Mutex<Result<Observation, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread {
            defer { done.signal() }
            let result = Result<Observation, any Error> {
                let network = try Self.enterNetworkNamespace(namespace)
                var observation = Observation()
                observation.whileTCPContextLives = try Self.useAndDrop(ZMQContext(), endpoint: "tcp://127.0.0.1:1", network: network)
                observation.afterTCPContext = Self.libzmqThreadsOnceGone(in: network)
                try Self.useAndDrop(ZMQContext(), endpoint: endpoint, network: network)
                observation.afterPGMContext = Self.libzmqThreads(in: network)
                return observation
            }
            observed.withLock { $0 = result }
        }.start()
        // A terminated PGM context may hang right here instead: that fails the test too.
        #expect(done.wait(timeout: .now() + 30) == .success, "dropping a context that used PGM did not return within 30 s")
        let observation = try #require(try observed.withLock { $0 }?.get())
        #expect(observation.whileTCPContextLives > 0, "a live context's libzmq threads are not seen in the lab")
        #expect(observation.afterTCPContext == 0, "a context that never used PGM was not terminated")
        #expect(observation.afterPGMContext > 0, "a context that used PGM was terminated")
    }

    /// Connects a SUB socket of `context` to `endpoint`, then lets both go (socket closed first);
    /// returns how many libzmq threads were in `network` meanwhile.
    @discardableResult
    static func useAndDrop(_ context: ZMQContext, endpoint: String, network: String) throws -> Int {
        let socket = try ZMQSocket(context, .sub)
        try socket.connect(endpoint)
        return libzmqThreads(in: network)
    }

    /// Moves the calling thread (only) into the lab namespace; returns that namespace's identity
    /// (`net:[inode]`).
    static func enterNetworkNamespace(_ name: String) throws -> String {
        // Glibc's setns(2) is not visible to Swift (it needs _GNU_SOURCE): looked up by name.
        typealias SetNamespace = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setns") else { throw FixtureFailure("no setns in libc") }
        let setns = unsafeBitCast(symbol, to: SetNamespace.self)
        let newNetworkNamespace: Int32 = 0x4000_0000  // CLONE_NEWNET
        let descriptor = open("/var/run/netns/\(name)", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FixtureFailure("open namespace \(name): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard setns(descriptor, newNetworkNamespace) == 0 else {
            throw FixtureFailure("setns \(name): \(String(cString: strerror(errno)))")
        }
        return networkNamespace(ofTask: "thread-self")
    }

    /// This process's threads in namespace `network` other than the calling thread: the libzmq
    /// threads its contexts started (by name would race: a new libzmq thread names itself).
    static func libzmqThreads(in network: String) -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        let caller = link("/proc/thread-self").split(separator: "/").last.map(String.init)
        return tasks.filter { $0 != caller && networkNamespace(ofTask: "self/task/\($0)") == network }.count
    }

    /// ``libzmqThreads(in:)`` once it is 0, or after 5 s. A joined thread may still be listed
    /// for a moment: the kernel wakes the joiner before the thread has fully left.
    static func libzmqThreadsOnceGone(in network: String) -> Int {
        let deadline = ContinuousClock.now + .seconds(5)
        while true {
            let count = libzmqThreads(in: network)
            if count == 0 || ContinuousClock.now > deadline { return count }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    /// The network namespace of a task under /proc, e.g. `thread-self` or `self/task/TID`.
    static func networkNamespace(ofTask task: String) -> String { link("/proc/\(task)/ns/net") }

    /// Where a symbolic link under /proc points ("" if it cannot be read).
    static func link(_ path: String) -> String {
        var target = [CChar](repeating: 0, count: 256)
        let length = readlink(path, &target, target.count - 1)
        return length > 0 ? String(decoding: target[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
    }
}
