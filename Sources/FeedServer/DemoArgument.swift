/// Lets `--demo` take an optional rate (`--demo` alone, or `--demo 5000`), which
/// swift-argument-parser options cannot express directly: a bare `--demo` becomes
/// `--demo <default rate>` before parsing.
enum DemoArgument {
    static let defaultRate = 2000

    static func expand(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            result.append(argument)
            if argument == "--demo" {
                let next = index + 1 < arguments.count ? arguments[index + 1] : nil
                if next.flatMap({ Int($0) }) == nil {
                    result.append(String(defaultRate))
                }
            }
            index += 1
        }
        return result
    }
}
