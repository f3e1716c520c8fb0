import Foundation
import PlatformKit
import Postgres
import Synchronization

/// The rows the task subscriptions read, one read per task shared by every subscriber (and every
/// event) that needs it: what an event does not say of its task — title, priority, payload,
/// capability, creation time, attempts allowed — no transition changes, and the rest comes from
/// the event itself (`Task.asOf`). Reading the row per subscriber per event made 50 subscribers
/// of a queue's 884 transitions 44,200 reads and ~20 s behind (probe 40A-2).
///
/// One per pool (as the event feed), keyed by tenant and task (the row is read under the tenant),
/// bounded in entries and bytes (a payload is up to 64 KiB), oldest out first; a read that fails or
/// finds nothing is not kept.
final class TaskRows: Sendable {
    typealias Task = AgentsSubgraph.Task
    static let maxEntries = 1_024
    static let maxBytes = 4 << 20

    private struct Key: Hashable { let tenant: UUID, task: UUID }
    private struct Entry {
        let read: _Concurrency.Task<Task?, any Error>
        /// When it was put (its place in `order`: a key put again has a later one).
        let put: Int
        var bytes = 0
    }
    private struct State {
        var entries: [Key: Entry] = [:]
        /// Keys oldest first, each with when it was put; one whose entry left (a failed read) or
        /// was put again since is passed over.
        var order: [(key: Key, put: Int)] = []
        var head = 0
        var puts = 0
        var bytes = 0

        mutating func put(_ key: Key, _ read: _Concurrency.Task<Task?, any Error>) {
            puts += 1
            entries[key] = Entry(read: read, put: puts)
            order.append((key, puts))
            evict()
        }

        mutating func evict() {
            while entries.count > TaskRows.maxEntries || bytes > TaskRows.maxBytes, head < order.count {
                let (key, put) = order[head]
                head += 1
                if entries[key]?.put == put, let gone = entries.removeValue(forKey: key) { bytes -= gone.bytes }
            }
            // What was evicted, passed over or left goes, once it is most of the list.
            if (head > 4_096 && head * 2 > order.count) || order.count - head > 2 * entries.count + 64 {
                order = order[head...].filter { entries[$0.key]?.put == $0.put }
                head = 0
            }
        }
    }

    let pool: PostgresPool
    private let state = Mutex(State())
    private static let instances = PerPool { TaskRows(pool: $0) }

    /// The rows of this pool (pools live as long as the process; tests run several databases in one).
    static func of(_ pool: PostgresPool) -> TaskRows { instances(pool) }

    init(pool: PostgresPool) { self.pool = pool }

    /// The task's row as the tenant sees it (nil when it sees none).
    func task(_ id: UUID, tenant: UUID) async throws -> Task? {
        let key = Key(tenant: tenant, task: id)
        let pool = pool
        @Sendable func readRow() async throws -> Task? {
            let row = try await pool.withTenant(PostgresUUID.text(tenant)) { c in
                try await c.query("SELECT \(unsafeRaw: AgentsSubgraph.taskColumns) FROM tasks WHERE id = \(id)").first
            }
            return try row.map(Task.init)
        }
        let read = state.withLock { s -> _Concurrency.Task<Task?, any Error> in
            if let e = s.entries[key] { return e.read }
            let read = _Concurrency.Task<Task?, any Error> { try await readRow() }
            s.put(key, read)
            return read
        }
        // The shared read; when it fails (its connection, a wait for one), once more, shared too
        // (the first waiter to get here starts it; each subscription ends if that fails as well).
        var current = read
        let task: Task?
        do {
            task = try await read.value
        } catch {
            current = state.withLock { s -> _Concurrency.Task<Task?, any Error> in
                if let e = s.entries[key], e.read != read { return e.read }
                if s.entries[key]?.read == read, let gone = s.entries.removeValue(forKey: key) { s.bytes -= gone.bytes }
                let retry = _Concurrency.Task<Task?, any Error> { try await readRow() }
                s.put(key, retry)
                return retry
            }
            do {
                task = try await current.value
            } catch {
                forget(key, current)
                throw error
            }
        }
        guard let task else {
            forget(key, current)
            return nil
        }
        state.withLock { s in
            guard s.entries[key]?.read == current, s.entries[key]?.bytes == 0 else { return }
            let bytes = 256 + task.title.utf8.count + task.payload.utf8.count + (task.capability?.utf8.count ?? 0)
            s.entries[key]?.bytes = bytes
            s.bytes += bytes
            s.evict()
        }
        return task
    }

    private func forget(_ key: Key, _ read: _Concurrency.Task<Task?, any Error>) {
        state.withLock { s in
            guard s.entries[key]?.read == read, let gone = s.entries.removeValue(forKey: key) else { return }
            s.bytes -= gone.bytes
        }
    }
}
