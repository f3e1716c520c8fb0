import OrderedCollections
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
    private struct Entry {
        let value: Value
        let bytes: Int
    }
    private struct State {
        var entries: OrderedDictionary<String, Entry> = [:]
        var bytes = 0
    }
    private let state = Mutex(State())
    public let maxEntries: Int
    public let maxBytes: Int

    public init(maxEntries: Int, maxBytes: Int) {
        self.maxEntries = max(1, maxEntries)
        self.maxBytes = max(1, maxBytes)
    }

    public func get(_ key: String) -> Value? {
        state.withLock { s in
            guard let e = s.entries.removeValue(forKey: key) else { return nil }
            s.entries[key] = e   // most recent last
            return e.value
        }
    }

    /// Keeps `value` under `key`; `bytes` is what it holds (the key's bytes are added).
    public func put(_ key: String, _ value: Value, bytes: Int) {
        let cost = bytes + key.utf8.count
        guard cost <= maxBytes else { return }
        state.withLock { s in
            if let old = s.entries.removeValue(forKey: key) { s.bytes -= old.bytes }
            s.entries[key] = Entry(value: value, bytes: cost)
            s.bytes += cost
            while s.entries.count > maxEntries || s.bytes > maxBytes {
                let oldest = s.entries.removeFirst()
                s.bytes -= oldest.value.bytes
            }
        }
    }

    public var count: Int { state.withLock { $0.entries.count } }
    /// The bytes the kept entries account for.
    public var bytes: Int { state.withLock { $0.bytes } }
}
