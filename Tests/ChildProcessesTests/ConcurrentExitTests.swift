import ChildProcesses
import Foundation
import Testing

/// Many children ending at about the same time, started and awaited from several threads: the
/// case in which swift-subprocess 1.0.2 lost exits (see the module's documentation).
@Suite struct ConcurrentExitTests {
    @Test func everyOneOfSixtyChildrenReportsItsExit() throws {
        let threads = 6
        let perThread = 10
        let problems = Problems()
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            do {
                let children = try (0..<perThread).map { index in
                    let number = thread * perThread + index
                    return (number, try ChildProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", "echo $0; exit $(($0 % 7))", String(number)]))
                }
                for (number, child) in children {
                    let status = try child.waitForExit(timeout: 60)
                    if status != number % 7 || child.stdout != "\(number)\n" {
                        problems.add("child \(number): status \(status), stdout '\(child.stdout)'")
                    }
                }
            } catch {
                problems.add("thread \(thread): \(error)")
            }
        }
        #expect(problems.all.isEmpty, "\(problems.all)")
    }
}

/// What went wrong on any thread.
private final class Problems: @unchecked Sendable {  // Guarded by `lock`.
    private let lock = NSLock()
    private var list: [String] = []

    func add(_ problem: String) { lock.withLock { list.append(problem) } }
    var all: [String] { lock.withLock { list } }
}
