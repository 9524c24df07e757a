import Testing
import ZeroMQ

/// The thin libzmq layer: errors carry errno text, frames arrive whole, EAGAIN is not an error.
struct ZeroMQWrapperTests {
    @Test func bindFailureCarriesLibzmqTextAndEndpoint() throws {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context, .pub)
        #expect {
            try socket.bind("tcp://127.0.0.1:notaport")
        } throws: { error in
            let error = error as? ZMQError
            return error?.description.hasPrefix("bind tcp://127.0.0.1:notaport: ") == true && error?.reason.isEmpty == false
        }
    }

    @Test func addressInUseIsReported() throws {
        let context = try ZMQContext()
        let first = try ZMQSocket(context, .pull)
        try first.set(.linger, 0)
        let endpoint = try first.bind("tcp://127.0.0.1:*")
        #expect(endpoint.hasPrefix("tcp://127.0.0.1:") && !endpoint.hasSuffix(":*"))
        let second = try ZMQSocket(context, .pull)
        #expect {
            try second.bind(endpoint)
        } throws: { error in
            (error as? ZMQError)?.description == "bind \(endpoint): Address already in use"
        }
    }

    @Test func multipartMessagesArriveWholeAndInPlace() throws {
        let context = try ZMQContext()
        let pull = try ZMQSocket(context, .pull)
        try pull.bind("inproc://multipart")
        let push = try ZMQSocket(context, .push)
        try push.connect("inproc://multipart")
        try push.send(frames: [[1, 2, 3], [], Array(repeating: 7, count: 5000)])
        let message = ZMQMultipartMessage(capacity: 2)
        #expect(try pull.receive(into: message))
        #expect(message.count == 3)
        #expect(Array(message[0]) == [1, 2, 3])
        #expect(message[1].isEmpty)
        #expect(message.totalBytes == 5003)
        #expect(try pull.receive(into: message, dontWait: true) == false)
    }

    @Test func nonBlockingReceiveOnEmptySocketIsNil() throws {
        let context = try ZMQContext()
        let pull = try ZMQSocket(context, .pull)
        try pull.bind("inproc://empty")
        #expect(try pull.receiveFrames(dontWait: true) == nil)
        #expect(try pull.waitReadable(timeoutMilliseconds: 0) == false)
    }

    @Test func monitorSeesConnectionAndReportsTimeoutWhenNobodyListens() throws {
        let context = try ZMQContext()
        let pull = try ZMQSocket(context, .pull)
        try pull.set(.linger, 0)
        try pull.bind("tcp://127.0.0.1:*")
        let push = try ZMQSocket(context, .push)
        try push.set(.linger, 0)
        let monitor = try ZMQMonitor(push)
        try push.connect(try pull.get(.lastEndpoint))
        #expect(try monitor.waitConnected(timeoutMilliseconds: 5000))

        let lonely = try ZMQSocket(context, .push)
        try lonely.set(.linger, 0)
        let lonelyMonitor = try ZMQMonitor(lonely)
        try lonely.connect("tcp://127.0.0.1:1")
        #expect(try lonelyMonitor.waitConnected(timeoutMilliseconds: 300) == false)
    }

    @Test func shutdownWakesABlockedReceiveWithETERM() throws {
        let context = try ZMQContext()
        let pull = try ZMQSocket(context, .pull)
        try pull.set(.linger, 0)
        try pull.bind("inproc://shutdown")
        context.shutdown()
        #expect {
            _ = try pull.receiveFrames()
        } throws: { error in
            (error as? ZMQError)?.isContextTerminated == true
        }
    }

    @Test func pgmIsAvailable() {
        #expect(ZMQContext.has("pgm"))
        #expect(ZMQContext.version.hasPrefix("4."))
    }
}
