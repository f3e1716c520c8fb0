import Foundation
import PlatformKit
import Testing

@Suite("Time-ordered row ids (UUID version 7)")
struct TimeOrderedUUIDTests {
    /// The 16 bytes of an id.
    func bytes(_ id: UUID) -> [UInt8] { withUnsafeBytes(of: id.uuid) { Array($0) } }

    @Test func idsAreVersion7WithTheTimeAheadAndIncreaseWithinABatch() {
        let before = UInt64(Date().timeIntervalSince1970 * 1000)
        let batch = TimeOrderedUUID.make(5_000)   // more than the 12-bit counter holds: it carries into the time
        let after = UInt64(Date().timeIntervalSince1970 * 1000)
        #expect(batch.count == 5_000)
        for (i, id) in batch.enumerated() {
            let b = bytes(id)
            #expect(b[6] >> 4 == 7, "version 7")
            #expect(b[8] >> 6 == 0b10, "RFC 9562 variant")
            let millis = b[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            #expect(millis >= before && millis <= after + 2, "the time of minting, up to the counter's carries")
            if i > 0 { #expect(bytes(batch[i - 1]).lexicographicallyPrecedes(b), "in order at \(i)") }
            // PostgreSQL reads it back as the same id (its text form is the standard one).
            if i == 0 { #expect(UUID(uuidString: id.uuidString) == id) }
        }
        #expect(TimeOrderedUUID.make(0).isEmpty)
    }

    @Test func idsAreUniqueAndTheirRandomBitsVary() {
        var seen = Set<UUID>()
        for _ in 0..<200 { for id in TimeOrderedUUID.make(50) { seen.insert(id) } }
        for _ in 0..<1_000 { seen.insert(TimeOrderedUUID.make()) }
        #expect(seen.count == 11_000)
        // The 62 random bits after the variant: 11,000 ids share no value of them.
        let tails = Set(seen.map { id -> [UInt8] in var b = bytes(id); b[8] &= 0x3F; return Array(b[8...]) })
        #expect(tails.count == 11_000)
    }
}
