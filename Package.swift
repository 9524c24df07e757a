// swift-tools-version:6.1
import PackageDescription

// Linux only (README): the code calls Glibc directly, so no other platform is claimed.
let package = Package(
    name: "market-feed",
    products: [
        .executable(name: "feed-server", targets: ["FeedServer"]),
        .executable(name: "feed-client", targets: ["FeedClient"]),
        .library(name: "FeedModel", targets: ["FeedModel"]),
        .library(name: "FeedHistory", targets: ["FeedHistory"]),
        .library(name: "ZeroMQ", targets: ["ZeroMQ"]),
        .library(name: "FeedClientKit", targets: ["FeedClientKit"]),
        .library(name: "FeedServerCore", targets: ["FeedServerCore"]),
        .library(name: "ChildProcesses", targets: ["ChildProcesses"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // The C boundary: libzmq's header and link flag, nothing else.
        .systemLibrary(name: "CZeroMQ", providers: [.apt(["libzmq3-dev"])]),
        // glibc's malloc.h, for giving memory back after stalled subscribers left (malloc_trim).
        .systemLibrary(name: "CMalloc"),
        // A thin Swift owner of libzmq contexts, sockets and frames.
        // Also CURVE keys and their certificate files (swift-system for the file calls).
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ", .product(name: "SystemPackage", package: "swift-system")]),
        // Messages, topics, prices, the binary wire codec, the replay protocol and history query types.
        .target(name: "FeedModel"),
        // The SQLite history: block storage, recorder writes, queries.
        .target(
            name: "FeedHistory",
            dependencies: ["FeedModel", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // The publisher daemon as a library: ingest, sequencer, fan-out, recorder, replay service.
        .target(
            name: "FeedServerCore",
            dependencies: [
                // FeedClientKit for the replay client a relay fills its history's gaps with.
                "ZeroMQ", "FeedModel", "FeedHistory", "FeedClientKit", "CMalloc",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // The client library: subscribe, publish, history queries over the replay service, text formats.
        .target(
            name: "FeedClientKit",
            // Neither libzmq's C module nor SQLite: monitor events come typed from ZeroMQ, query
            // types from FeedModel, and reading a history file is plugged in by the program.
            dependencies: [
                "ZeroMQ", "FeedModel",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // What both command lines share: usage errors as one line and exit status 64, endpoint
        // syntax checks (ZeroMQ's PGMEndpoint for multicast), bounds of numeric options, prefix lists.
        .target(
            name: "CommandLineSupport",
            dependencies: ["ZeroMQ", "FeedModel", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // `feed-server doctor`: what a deployment trips over, as facts from this host and checks over them.
        .target(name: "FeedDoctor", dependencies: ["ZeroMQ"]),
        // Programs run as child processes by the tests and the benchmarks (Foundation only).
        .target(name: "ChildProcesses"),
        .executableTarget(
            name: "FeedServer",
            dependencies: [
                "FeedServerCore", "FeedHistory", "CommandLineSupport", "FeedDoctor",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "FeedClient",
            dependencies: [
                "FeedClientKit", "FeedHistory", "CommandLineSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .testTarget(name: "FeedModelTests", dependencies: ["FeedModel", "ChildProcesses"]),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ", "ChildProcesses"]),
        .testTarget(name: "FeedDoctorTests", dependencies: ["FeedDoctor", "ZeroMQ"]),
        .testTarget(
            name: "FeedClientKitTests",
            dependencies: ["FeedClientKit", "FeedModel", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(
            name: "FeedServerCoreTests",
            dependencies: ["FeedServerCore", "FeedModel", "ZeroMQ", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "CommandLineSupportTests",
            dependencies: ["CommandLineSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(
            name: "FeedHistoryTests",
            dependencies: ["FeedHistory", "FeedModel", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "InProcessTests",
            dependencies: ["FeedServerCore", "FeedClientKit", "FeedModel", "FeedHistory", "ZeroMQ"]
        ),
        .testTarget(
            name: "IntegrationTests",
            // The executables are dependencies so `swift test` builds them; tests run them as processes.
            dependencies: ["FeedModel", "FeedHistory", "ZeroMQ", "ChildProcesses", "FeedServer", "FeedClient"]
        ),
        .testTarget(name: "ChildProcessesTests", dependencies: ["ChildProcesses"]),
    ],
    swiftLanguageModes: [.v6]
)
