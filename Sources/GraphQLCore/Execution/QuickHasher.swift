/// A fast hash for the gateway's own open-addressed tables over answer data (response keys,
/// representations, entity answers): a folded 64×64→128-bit multiply per word of input, from a
/// state seeded per process, so that values a client or a subgraph chose cannot be made to
/// collide ahead of time. About a fifth of `Hasher`'s (SipHash-1-3) cost on the short inputs these
/// tables see — a key, an id, two or three scalars. Not for anything stored or compared across
/// processes.
public struct QuickHasher {
    @usableFromInline static let seed: (UInt64, UInt64) = {
        var s: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &s) { b in
            var g = SystemRandomNumberGenerator()
            for i in b.indices { b[i] = g.next() }
        }
        return (s.0 | 1, s.1)
    }()
    @usableFromInline static let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
    /// The per-word multiplier: seeded, and odd (an even one would drop the state's top bit).
    @usableFromInline static let wordMultiplier: UInt64 = (seed.0 ^ multiplier) | 1

    @usableFromInline var state: UInt64

    @inlinable public init() { state = Self.seed.1 }

    /// The high and low halves of `a × b` folded together.
    @inlinable @inline(__always) static func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let p = a.multipliedFullWidth(by: b)
        return p.high ^ p.low
    }

    @inlinable @inline(__always) public mutating func combine(_ word: UInt64) {
        state = Self.fold(state ^ word, Self.wordMultiplier)
    }

    @inlinable @inline(__always) public mutating func combine(_ v: Int) { combine(UInt64(bitPattern: Int64(v))) }
    @inlinable @inline(__always) public mutating func combine(_ v: Int32) { combine(UInt64(UInt32(bitPattern: v))) }
    @inlinable @inline(__always) public mutating func combine(_ v: UInt32) { combine(UInt64(v)) }
    @inlinable @inline(__always) public mutating func combine(_ v: UInt8) { combine(UInt64(v)) }

    /// Feeds `bytes` and their count (so that a run and a longer run it starts do not hash alike
    /// by construction).
    @inlinable public mutating func combine(bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        var i = 0
        if let base = bytes.baseAddress {
            while i + 8 <= n {
                combine(base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                i += 8
            }
            if i < n {
                var last: UInt64 = 0
                var shift: UInt64 = 0
                while i < n {
                    last |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) << shift
                    shift += 8
                    i += 1
                }
                combine(last)
            }
        }
        combine(UInt64(n) &+ 0x5A5A_0000_0000_0000)
    }

    @inlinable public mutating func combine(bytes: UnsafeBufferPointer<UInt8>) { combine(bytes: UnsafeRawBufferPointer(bytes)) }

    /// The hash (its low bits as well mixed as its high ones: tables index by `hash & mask`).
    @inlinable public func finalize() -> Int {
        Int(bitPattern: UInt(Self.fold(state ^ Self.seed.1, Self.multiplier)))
    }
}
