import GraphQLCore
import Synchronization

/// A least-recently-used cache bounded by entries and by bytes: each value is put with its cost
/// in bytes (what it holds — a document's source, a plan's text), and the oldest entries leave
/// until both bounds hold. A value larger than the byte bound is not kept at all. The document,
/// plan and in-memory persisted-query caches use it, so large documents cannot fill memory.
///
/// ```swift
/// let cache = BoundedCache<Document>(maxEntries: 1_000, maxBytes: 32 << 20)
/// cache.put(text, document, bytes: text.utf8.count)
/// ```
public final class BoundedCache<Value: Sendable>: Sendable {
    /// An entry, in a list from the least to the most recently used (indices into `slots`).
    private struct Slot {
        var key: ExactText
        var value: Value?
        var bytes: Int
        var older: Int
        var newer: Int
    }
    /// Every operation is O(1): a lookup by key, then the entry unlinked and linked again at the
    /// newest end (an ordered dictionary moved the entries after it on every hit: O(n) per
    /// request once the cache held many documents).
    private struct State {
        var index: [ExactText: Int] = [:]
        var slots: [Slot] = []
        var free: [Int] = []
        var oldest = -1, newest = -1
        var bytes = 0

        mutating func unlink(_ i: Int) {
            let (o, n) = (slots[i].older, slots[i].newer)
            if o >= 0 { slots[o].newer = n } else { oldest = n }
            if n >= 0 { slots[n].older = o } else { newest = o }
        }

        mutating func linkNewest(_ i: Int) {
            slots[i].older = newest
            slots[i].newer = -1
            if newest >= 0 { slots[newest].newer = i } else { oldest = i }
            newest = i
        }

        mutating func remove(_ i: Int) {
            unlink(i)
            index[slots[i].key] = nil
            bytes -= slots[i].bytes
            slots[i].value = nil
            slots[i].key = ExactText("")
            free.append(i)
        }
    }
    private let state = Mutex(State())
    public let maxEntries: Int
    public let maxBytes: Int

    public init(maxEntries: Int, maxBytes: Int) {
        self.maxEntries = max(1, maxEntries)
        self.maxBytes = max(1, maxBytes)
    }

    public func get(_ key: String) -> Value? {
        let key = ExactText(key)
        return state.withLock { s in
            guard let i = s.index[key] else { return nil }
            if s.newest != i {
                s.unlink(i)
                s.linkNewest(i)
            }
            return s.slots[i].value
        }
    }

    /// Keeps `value` under `key`; `bytes` is what it holds (the key's bytes are added).
    public func put(_ key: String, _ value: Value, bytes: Int) {
        let cost = bytes + key.utf8.count
        guard cost <= maxBytes else { return }
        let key = ExactText(key)
        state.withLock { s in
            if let old = s.index[key] { s.remove(old) }
            let slot = Slot(key: key, value: value, bytes: cost, older: -1, newer: -1)
            let i: Int
            if let f = s.free.popLast() { i = f; s.slots[i] = slot } else { i = s.slots.count; s.slots.append(slot) }
            s.index[key] = i
            s.linkNewest(i)
            s.bytes += cost
            while s.index.count > maxEntries || s.bytes > maxBytes { s.remove(s.oldest) }
        }
    }

    public var count: Int { state.withLock { $0.index.count } }
    /// The bytes the kept entries account for.
    public var bytes: Int { state.withLock { $0.bytes } }
}
