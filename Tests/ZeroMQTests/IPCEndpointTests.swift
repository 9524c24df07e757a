import Foundation
import Testing
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

/// An `ipc://` path belongs to one socket: libzmq alone would let a second bind take it over
/// silently, and would leave the socket file behind.
struct IPCEndpointTests {
    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("zmq-ipc-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-\(name)").path
    }

    @Test func bindingAPathAnotherSocketServesIsRefused() throws {
        let path = Self.temporaryPath("served")
        let context = try ZMQContext()
        let first = try ZMQSocket(context, .pull)
        try first.set(.linger, 0)
        try first.bind("ipc://\(path)")
        let second = try ZMQSocket(context, .pull)
        try second.set(.linger, 0)
        #expect {
            try second.bind("ipc://\(path)")
        } throws: { error in
            (error as? ZMQError)?.description == "bind ipc://\(path): Address already in use"
        }
        // The first socket still gets what is sent to the path.
        let push = try ZMQSocket(context, .push)
        try push.set(.linger, 0)
        try push.connect("ipc://\(path)")
        try push.send([7])
        #expect(try first.waitReadable(timeoutMilliseconds: 5000), "the first socket lost its endpoint")
        #expect(try first.receiveFrames(dontWait: true) == [[7]])
    }

    @Test func aFileNobodyListensOnIsBoundOver() throws {
        // What a killed process leaves: a socket file without a listener.
        let path = Self.temporaryPath("stale")
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        close(stale)
        #expect(FileManager.default.fileExists(atPath: path))

        let context = try ZMQContext()
        let socket = try ZMQSocket(context, .pull)
        try socket.set(.linger, 0)
        try socket.bind("ipc://\(path)")
    }

    @Test func closingRemovesItsOwnFileOnly() throws {
        let context = try ZMQContext()
        let path = Self.temporaryPath("own")
        do {
            let socket = try ZMQSocket(context, .pull)
            try socket.set(.linger, 0)
            try socket.bind("ipc://\(path)")
            #expect(FileManager.default.fileExists(atPath: path))
        }
        #expect(!FileManager.default.fileExists(atPath: path), "socket file left behind")

        // A file that replaced the socket's own (someone else's) stays.
        let replaced = Self.temporaryPath("replaced")
        do {
            let socket = try ZMQSocket(context, .pull)
            try socket.set(.linger, 0)
            try socket.bind("ipc://\(replaced)")
            try FileManager.default.removeItem(atPath: replaced)
            #expect(FileManager.default.createFile(atPath: replaced, contents: Data("theirs".utf8)))
        }
        #expect(FileManager.default.fileExists(atPath: replaced), "removed a file the socket did not create")
        try? FileManager.default.removeItem(atPath: replaced)
    }
}
