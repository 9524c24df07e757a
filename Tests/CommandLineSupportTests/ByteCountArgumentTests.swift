import ArgumentParser
import CommandLineSupport
import Testing

/// Sizes on the command line: units of 1000 and of 1024, and a usage error naming the option.
struct ByteCountArgumentTests {
    @Test(arguments: [
        ("4096", 4096), ("512MiB", 512 << 20), ("512MB", 512_000_000), ("2GiB", 2 << 30), ("1GB", 1_000_000_000),
        ("64KiB", 64 << 10), ("10B", 10),
    ])
    func aSizeIsReadWithItsUnit(text: String, bytes: Int64) throws {
        #expect(try ByteCountArgument.parse(text, option: "--size") == bytes)
    }

    @Test(arguments: ["", "MB", "-1MB", "12 MB", "1.5GB", "9999999999TB", "12XB"])
    func aBadSizeIsAUsageErrorNamingTheOption(text: String) {
        #expect(throws: ValidationError.self) { try ByteCountArgument.parse(text, option: "--size") }
    }

    @Test func aSizeBelowTheMinimumIsRefused() {
        #expect(throws: ValidationError.self) { try ByteCountArgument.parse("1KB", option: "--size", minimum: 1 << 20) }
    }
}
