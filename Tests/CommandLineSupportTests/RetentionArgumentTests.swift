import CommandLineSupport
import Testing

/// `--retain` and `--retain-size` read what the issue writes (`7d`, `12h`, `50GB`) and reject
/// anything else with a usage error that says what is accepted.
struct RetentionArgumentTests {
    @Test func durationsInDaysHoursMinutesSeconds() throws {
        #expect(try RetentionArgument.duration("7d", option: "--retain") == 7 * 86_400 * 1_000_000_000)
        #expect(try RetentionArgument.duration("12h", option: "--retain") == 12 * 3_600 * 1_000_000_000)
        #expect(try RetentionArgument.duration("30m", option: "--retain") == 30 * 60 * 1_000_000_000)
        #expect(try RetentionArgument.duration("90s", option: "--retain") == 90 * 1_000_000_000)
    }

    @Test func sizesInDecimalAndBinaryUnits() throws {
        #expect(try ByteCountArgument.parse("50GB", option: "--retain-size") == 50_000_000_000)
        #expect(try ByteCountArgument.parse("512MiB", option: "--retain-size") == 512 << 20)
        #expect(try ByteCountArgument.parse("3KB", option: "--retain-size") == 3_000)
        #expect(try ByteCountArgument.parse("1TiB", option: "--retain-size") == 1 << 40)
        #expect(try ByteCountArgument.parse("1000000", option: "--retain-size") == 1_000_000)
    }

    @Test(arguments: ["", "7", "d", "0d", "-1d", "7x", "1.5h", "7 d", "99999999999999d"])
    func badDurationsAreUsageErrors(text: String) {
        #expect {
            _ = try RetentionArgument.duration(text, option: "--retain")
        } throws: { error in
            "\(error)".hasPrefix("--retain \(text): not a duration")
        }
    }

    @Test(arguments: ["", "GB", "-1", "50XB", "1.5GB", "50 GB", "99999999999TB"])
    func badSizesAreUsageErrors(text: String) {
        #expect {
            _ = try ByteCountArgument.parse(text, option: "--retain-size")
        } throws: { error in
            "\(error)".hasPrefix("--retain-size \(text): not a size")
        }
    }
}
