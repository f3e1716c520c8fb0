import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// New row ids: UUIDs of version 7 (RFC 9562 §5.7), a 48-bit Unix time in milliseconds ahead of
/// random bits, minted in batches from one read of the system's random source.
///
/// Two reasons not to take Foundation's `UUID()`: on Linux it opens, reads and closes
/// `/dev/urandom` for every id (an append of 100 events made 300 system calls for its ids), and
/// its random (version 4) ids land all over the unique index on `events.event_id`, where
/// time-ordered ones are appended at its right edge (fewer pages touched and split per insert).
/// The ids of one batch increase in order: the 12 bits after the version (`rand_a`) count from a
/// random start, carrying into the time when they overflow (RFC 9562's "fixed-length dedicated
/// counter"); the 62 bits after the variant stay random, so ids are as hard to guess as before.
public enum TimeOrderedUUID {
    /// One new id.
    public static func make() -> UUID { make(1)[0] }

    /// `count` new ids, each greater than the one before.
    public static func make(_ count: Int) -> [UUID] {
        guard count > 0 else { return [] }
        var random = [UInt8](repeating: 0, count: 8 * count + 2)
        fillRandom(&random)
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let millis = UInt64(now.tv_sec) &* 1000 &+ UInt64(now.tv_nsec / 1_000_000)
        // Start low in the counter's range so that a batch rarely carries into the time.
        let start = (UInt64(random[0]) << 8 | UInt64(random[1])) & 0x7FF
        var ids: [UUID] = []
        ids.reserveCapacity(count)
        for i in 0..<count {
            let sequence = start + UInt64(i)
            let time = millis &+ (sequence >> 12)
            let counter = sequence & 0xFFF
            let r = 2 + 8 * i
            ids.append(UUID(uuid: (
                UInt8(truncatingIfNeeded: time >> 40), UInt8(truncatingIfNeeded: time >> 32),
                UInt8(truncatingIfNeeded: time >> 24), UInt8(truncatingIfNeeded: time >> 16),
                UInt8(truncatingIfNeeded: time >> 8), UInt8(truncatingIfNeeded: time),
                0x70 | UInt8(counter >> 8), UInt8(truncatingIfNeeded: counter),
                0x80 | (random[r] & 0x3F), random[r + 1], random[r + 2], random[r + 3],
                random[r + 4], random[r + 5], random[r + 6], random[r + 7])))
        }
        return ids
    }

    /// The buffer filled from the system's cryptographic random source (one call for the batch).
    private static func fillRandom(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { buffer in
            #if canImport(Glibc)
            arc4random_buf(buffer.baseAddress!, buffer.count)
            #else
            var g = SystemRandomNumberGenerator()
            for j in 0..<buffer.count { buffer[j] = UInt8.random(in: .min ... .max, using: &g) }
            #endif
        }
    }
}
