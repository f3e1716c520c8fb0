import Foundation
import PlatformKit
import Testing

@Suite("ISO 8601 without Foundation's formatter")
struct ISO8601Tests {
    @Test func formatsLikeFoundationForManyDates() {
        let reference = ISO8601DateFormatter()
        reference.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var generator = SystemRandomNumberGenerator()
        // From 1600 to 2400, millisecond precision, plus the edges of leap days and epochs.
        var dates = (0..<2_000).map { _ in Date(timeIntervalSince1970: Double(Int64.random(in: -11_676_096_000_000...13_569_465_600_000, using: &generator)) / 1000) }
        dates += [0, -1, 951_782_400, 951_868_799.999, 4_107_542_400, -2_208_988_800].map { Date(timeIntervalSince1970: $0) }
        for date in dates {
            #expect(date.iso8601 == reference.string(from: date), "\(date.timeIntervalSince1970)")
            #expect(date.iso8601.iso8601Date.map { abs($0.timeIntervalSince(date)) < 0.001 } == true)
        }
    }

    /// A stored time a microsecond below a whole millisecond keeps its millisecond (truncated):
    /// written rounded up, `events(since:)` its own time would leave the event out.
    @Test func aTimeJustBelowAMillisecondIsTruncated() {
        let base = 1_796_000_000.0   // 2026
        #expect(Date(timeIntervalSince1970: base + 0.122999).iso8601.hasSuffix(".122Z"))
        #expect(Date(timeIntervalSince1970: base + 0.123).iso8601.hasSuffix(".123Z"))
        #expect(Date(timeIntervalSince1970: base + 0.285).iso8601.hasSuffix(".285Z"))
    }

    @Test func parsesOffsetsAndRejectsGarbage() {
        #expect("2026-11-21T13:15:40Z".iso8601Date == Date(timeIntervalSince1970: 1_795_266_940))
        #expect("2026-11-21T14:15:40+01:00".iso8601Date == Date(timeIntervalSince1970: 1_795_266_940))
        #expect("2026-11-21T13:15:40.5Z".iso8601Date == Date(timeIntervalSince1970: 1_795_266_940.5))
        for bad in ["", "2026-11-21", "2026-13-01T00:00:00Z", "2026-11-21T25:00:00Z", "2026-11-21T13:15:40", "2026-11-21T13:15:40Zjunk", "yesterday",
                    "2026-02-31T00:00:00Z", "2026-04-31T00:00:00Z", "2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z"] {
            #expect(bad.iso8601Date == nil, "\(bad)")
        }
        // Leap days of leap years.
        #expect("2028-02-29T00:00:00Z".iso8601Date != nil)
        #expect("2000-02-29T00:00:00Z".iso8601Date != nil)
    }
}
