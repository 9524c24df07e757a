import ChildProcesses
import Foundation

/// A hostile client in a Python child process speaking raw ZMTP 3.0 (NULL mechanism, as a SUB)
/// or plain TCP: a libzmq client would build the same subscription trie itself (and crash on a
/// 10 MiB subscription), so the abuse is written byte by byte here.
///
/// Each mode prints one line per finding on stdout and then waits for its standard input to
/// close (the process is killed when the object goes away), so the connections it holds stay
/// open as long as the test needs them:
/// - `big SIZE`: one subscription frame of SIZE bytes; prints `closed` or `open`.
/// - `long LENGTH`: one subscription to a prefix of LENGTH bytes; prints `closed` or `open`.
/// - `many COUNT`: COUNT different random subscriptions of 8-40 bytes; prints `closed` or `open`.
/// - `stall COUNT`: COUNT subscribers to everything that never read; prints `stalled COUNT`.
/// - `flood COUNT`: COUNT idle TCP connections that never say a word; prints `opened N`, then
///   `closed M`: how many of them the server closed within two seconds.
final class HostilePeer {
    let process: ChildProcess

    init(_ mode: String, _ argument: Int, endpoint: String) throws {
        guard endpoint.hasPrefix("tcp://"), let colon = endpoint.lastIndex(of: ":") else {
            throw FixtureFailure("not a tcp endpoint: \(endpoint)")
        }
        let host = String(endpoint[endpoint.index(endpoint.startIndex, offsetBy: 6)..<colon])
        let port = String(endpoint[endpoint.index(after: colon)...])
        process = try ChildProcess(
            URL(fileURLWithPath: "/usr/bin/python3"), ["-c", Self.script, mode, String(argument), host, port])
    }

    /// Waits for the line of stdout that starts with `word`; returns it.
    func line(_ word: String, timeout: Double = 30) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let line = process.stdout.split(separator: "\n").first(where: { $0.hasPrefix(word) }) { return String(line) }
            _ = try? process.waitForStdoutLines(process.stdout.split(separator: "\n").count + 1, timeout: 0.5)
        }
        throw process.failure("no '\(word)' from the hostile peer within \(timeout) s; stdout: \(process.stdout)")
    }

    /// Whether the server closed the connection (modes `big`, `long`, `many`).
    func wasClosed(timeout: Double = 30) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let lines = process.stdout.split(separator: "\n")
            if lines.contains("closed") { return true }
            if lines.contains("open") { return false }
            _ = try? process.waitForStdoutLines(lines.count + 1, timeout: 0.5)
        }
        throw process.failure("the hostile peer said nothing within \(timeout) s")
    }

    private static let script = #"""
        import os, random, resource, select, socket, struct, sys, time

        mode, count, host, port = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

        def frame(body, command=False):
            flags = 0x04 if command else 0x00
            if len(body) > 255:
                return bytes([flags | 0x02]) + struct.pack('>Q', len(body)) + body
            return bytes([flags, len(body)]) + body

        def subscriber(receive_buffer=None):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            if receive_buffer:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
            s.connect((host, port))
            greeting = b'\xff' + b'\x00' * 8 + b'\x7f' + bytes([3, 0]) + b'NULL'.ljust(20, b'\x00') + b'\x00' + b'\x00' * 31
            ready = b'\x05READY' + bytes([11]) + b'Socket-Type' + struct.pack('>I', 3) + b'SUB'
            s.sendall(greeting)
            # libzmq 4.3.4 fails the handshake (unexpected command) now and then when READY
            # arrives together with the greeting: wait for the server's greeting first.
            received = b''
            while len(received) < 64:
                chunk = s.recv(64 - len(received))
                if not chunk:
                    break
                received += chunk
            s.sendall(frame(ready, command=True))
            return s

        def closed_within(s, seconds):
            deadline = time.time() + seconds
            try:
                while time.time() < deadline:
                    ready, _, _ = select.select([s], [], [], 0.2)
                    if ready and not s.recv(65536):
                        return True
            except OSError:
                return True
            return False

        def send_all(s, data):
            try:
                s.sendall(data)
            except OSError:
                pass

        held = []
        if mode == 'big':
            s = subscriber()
            send_all(s, frame(b'\x01' + b'A' * (count - 1)))
            print('closed' if closed_within(s, 10) else 'open', flush=True)
        elif mode == 'long':
            s = subscriber()
            send_all(s, frame(b'\x01' + b'A' * count))
            print('closed' if closed_within(s, 10) else 'open', flush=True)
        elif mode == 'many':
            s = subscriber()
            rng = random.Random(7)
            batch = []
            for i in range(count):
                prefix = bytes(rng.randrange(33, 127) for _ in range(rng.randrange(8, 41)))
                batch.append(frame(b'\x01' + prefix))
                if len(batch) == 1000:
                    send_all(s, b''.join(batch))
                    batch = []
            send_all(s, b''.join(batch))
            print('closed' if closed_within(s, 20) else 'open', flush=True)
        elif mode == 'stall':
            for _ in range(count):
                s = subscriber(receive_buffer=4096)
                s.sendall(frame(b'\x01'))
                held.append(s)
            print('stalled %d' % len(held), flush=True)
        elif mode == 'flood':
            for _ in range(count):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.connect((host, port))
                held.append(s)
            print('opened %d' % len(held), flush=True)
            poller = select.poll()
            by_fd = {s.fileno(): s for s in held}
            for fd in by_fd:
                poller.register(fd, select.POLLIN)
            deadline = time.time() + 2
            closed = set()
            while time.time() < deadline:
                for fd, _ in poller.poll(200):
                    try:
                        data = by_fd[fd].recv(1024)
                    except OSError:
                        data = b''
                    if not data:
                        closed.add(fd)
                        poller.unregister(fd)
            print('closed %d' % len(closed), flush=True)
        sys.stdin.read()
        """#
}
