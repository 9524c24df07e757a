import ChildProcesses
import Foundation
import Testing

/// `feed-client keygen` as a user runs it: two files in ZeroMQ's certificate layout that
/// pyzmq reads, a secret file only its owner reads, nothing ever overwritten.
struct KeygenCommandTests {
    @Test func writesAKeyPairThatPyzmqLoads() throws {
        let folder = try TemporaryFolder()
        let keygen = try ChildProcess(
            Binaries.client, ["keygen", "alice", "--directory", folder.url.path, "--metadata", "roles=subscribe,replay", "--metadata", "prefixes=NASDAQ., NYSE.IBM"])
        #expect(try keygen.waitForExit() == 0, "\(keygen.stderr)")
        let publicKey = try #require(keygen.stdout.split(separator: "\n").first?.split(separator: " ").last)

        let script = """
            import sys, zmq, zmq.auth
            public, secret = zmq.auth.load_certificate(sys.argv[1] + ".key_secret")
            alone, none = zmq.auth.load_certificate(sys.argv[1] + ".key")
            assert alone == public and none is None
            assert zmq.curve_public(secret) == public
            print(public.decode())
            """
        let python = try ChildProcess(URL(fileURLWithPath: "/usr/bin/python3"), ["-c", script, folder.path("alice")])
        #expect(try python.waitForExit() == 0, "\(python.stderr)")
        #expect(python.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == String(publicKey))

        let text = try String(contentsOfFile: folder.path("alice.key"), encoding: .utf8)
        #expect(text.contains("    roles = \"subscribe,replay\"\n    prefixes = \"NASDAQ., NYSE.IBM\"\n"))
        #expect(!text.contains("secret-key"))
        #expect(try FileManager.default.attributesOfItem(atPath: folder.path("alice.key_secret"))[.posixPermissions] as? Int == 0o600)

        let again = try ChildProcess(Binaries.client, ["keygen", "alice", "--directory", folder.url.path])
        #expect(try again.waitForExit() == 73)
        #expect(again.stderr.contains("alice.key: already exists"), "\(again.stderr)")
        #expect(try String(contentsOfFile: folder.path("alice.key"), encoding: .utf8) == text)
    }

    @Test(arguments: [
        (["keygen", "../alice"], "key name '../alice'"),
        (["keygen", ".hidden"], "not starting with '.'"),
        (["keygen", "alice", "--metadata", "roles"], "--metadata 'roles': expected name=value"),
        (["keygen", "alice", "--metadata", "ro les=x"], "a name is letters"),
        (["keygen", "alice", "--metadata", "note=say \"hi\""], "a value is one line without double quotes"),
        (["keygen", "alice", "--metadata", "a=1", "--metadata", "a=2"], "--metadata 'a' given twice"),
    ])
    func badArgumentsExit64(arguments: [String], reason: String) throws {
        let folder = try TemporaryFolder()
        let process = try ChildProcess(Binaries.client, arguments + ["--directory", folder.url.path])
        #expect(try process.waitForExit() == 64)
        #expect(process.stderr.contains(reason), "\(process.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).isEmpty)
    }
}
