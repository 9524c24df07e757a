// swift-tools-version:6.1
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder, which is whatever the clone is called.
let feed = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent.lowercased()

// The benchmarks, in a package of their own so the service carries no benchmark dependencies.
// `feed-bench run` starts the real feed-server and feed-client side by side with the raw libzmq
// and SQLite baselines in C (baselines/) and prints every figure with its baseline and ratio;
// HotPaths measures the per-message steps in-process (ordo-one/benchmark). `make bench` at the
// repository root builds everything and runs both.
let package = Package(
    name: "market-feed-benchmarks",
    products: [.executable(name: "feed-bench", targets: ["FeedBench"])],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        // Resolves from the offline package mirror only with this trait; its malloc counter is what we want.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "FeedBench",
            dependencies: [
                .product(name: "FeedModel", package: feed),
                .product(name: "FeedHistory", package: feed),
                .product(name: "FeedClientKit", package: feed),
                .product(name: "ZeroMQ", package: feed),
                .product(name: "ChildProcesses", package: feed),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // Time and heap allocations per message of each hot-path step, with ordo-one/benchmark:
        // `swift package --package-path Benchmarks benchmark`. (Its plugin wants benchmark
        // targets in a folder directly inside one named Benchmarks, hence the path.)
        .executableTarget(
            name: "HotPaths",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "FeedModel", package: feed),
                .product(name: "FeedHistory", package: feed),
            ],
            path: "HotPaths",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
