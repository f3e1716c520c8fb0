import Synchronization

/// Where writes to the event store wait their turn: in the gateway, not on a database
/// connection — and where appends waiting together are written together.
///
/// Every insert into `events` takes the event store's append lock, in shared mode (appends run
/// side by side; a reader that follows positions takes it exclusively for a moment to find the
/// horizon below which every position is final). A write that waited in the database on a
/// pooled connection kept that connection for the whole wait, so under an append load every
/// connection of the pool sat waiting and reads (a projection's position, a TenantOverview)
/// queued behind the appends for a connection. Writes now wait here first: at most `width` hold
/// a connection at a time, the others wait without one, in the order they came, and a waiter
/// whose request is cancelled leaves the line.
///
/// A write that may share its turn (`run(_:sharing:_:)`: an append) takes along, when its turn
/// comes, the shareable writes queued behind it with the same key (the tenant: one transaction
/// is scoped to one) and a unit none of the others has (the stream: its version check reads the
/// stream as it was before the statement), up to `batchLimit` writes and `batchSize` in all
/// (events). They are written in one statement and one commit: under load the per-statement and
/// per-commit work of the database (executor start-up, triggers, the commit, the notification)
/// is shared by the batch, and with no load nothing waits, so nothing is batched and no write is
/// held back for a batch to fill.
///
/// One line per database (the gateway keeps one beside each platform pool).
public final class AppendLine: Sendable {
    /// What a shareable write must have in common with others to go in one batch.
    public struct Share: Sendable {
        /// Writes go together only with the same key (the tenant).
        public let key: String
        /// At most one write per unit in a batch (the stream).
        public let unit: String
        /// Its share of `batchSize` (its number of events).
        public let size: Int
        public init(key: String, unit: String, size: Int) {
            self.key = key
            self.unit = unit
            self.size = size
        }
    }

    /// How a wait ends: the caller has the turn (with the writes it takes along), or its write
    /// went in another's batch and this is its outcome.
    private enum Turn: Sendable {
        case lead([Companion])
        case done(Result<any Sendable, any Error>)
    }
    private struct Companion: Sendable {
        let item: any Sendable
        let continuation: CheckedContinuation<Turn, any Error>
    }
    private struct Waiter {
        let id: UInt64
        /// A shareable write's terms and item (nil for a plain `run`).
        let shared: (share: Share, item: any Sendable)?
        let continuation: CheckedContinuation<Turn, any Error>
    }
    private struct State {
        var free: Int
        var waiters: [Waiter] = []
        var head = 0
        var nextID: UInt64 = 0
    }
    private let state: Mutex<State>
    /// Most writes in one batch, and most of their sizes together (a write larger than that goes alone).
    public let batchLimit: Int
    public let batchSize: Int

    public init(width: Int, batchLimit: Int = 32, batchSize: Int = 1_000) {
        state = Mutex(State(free: max(1, width)))
        self.batchLimit = max(1, batchLimit)
        self.batchSize = batchSize
    }

    /// Runs `body` once it is this call's turn; the turn passes on when `body` returns or throws.
    public func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        _ = try await enter(nil)
        do {
            let result = try await body()
            leave()
            return result
        } catch {
            leave()
            throw error
        }
    }

    /// Writes `item` when its turn comes, possibly in another's batch: the caller whose turn it
    /// is runs `write` once for its item and those it takes along (in the order they came),
    /// and each caller gets the outcome at its item's index. `write` answers one outcome per item
    /// and does not throw (a batch that fails answers each item its failure). Once its turn has
    /// come a write is not cancelled with its caller's task (its client left, its request timed
    /// out): the batch is other callers' writes too.
    public func run<Item: Sendable, Outcome: Sendable>(_ item: Item, sharing share: Share,
                                                       _ write: @escaping @Sendable ([Item]) async -> [Result<Outcome, any Error>]) async throws -> Outcome {
        switch try await enter((share, item)) {
        case .done(let outcome):
            return try outcome.get() as! Outcome
        case .lead(let companions):
            let items = [item] + companions.map { $0.item as! Item }
            let outcomes = await Task { await write(items) }.value
            for (i, c) in companions.enumerated() {
                let outcome = i + 1 < outcomes.count ? outcomes[i + 1].map { $0 as any Sendable } : .failure(MissingOutcome())
                c.continuation.resume(returning: .done(outcome))
            }
            leave()
            guard let own = outcomes.first else { throw MissingOutcome() }
            return try own.get()
        }
    }

    /// A batch's `write` answered fewer outcomes than it had items.
    struct MissingOutcome: Error {}

    /// Writes waiting for their turn now (for tests and metrics).
    public var waiting: Int { state.withLock { $0.waiters.count - $0.head } }

    private func enter(_ shared: (share: Share, item: any Sendable)?) async throws -> Turn {
        // With a turn free nobody waits, so there is nobody to take along.
        let id: UInt64? = state.withLock { s in
            if s.free > 0 { s.free -= 1; return nil }
            s.nextID += 1
            return s.nextID
        }
        guard let id else { return .lead([]) }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Turn, any Error>) in
                // Cancelled before it could wait: the handler below found nothing to remove. A
                // turn freed since the first look (its holder found nobody waiting) is taken now.
                enum Then { case wait, cancel, lead }
                let then = state.withLock { s -> Then in
                    if Task.isCancelled { return .cancel }
                    if s.free > 0 { s.free -= 1; return .lead }
                    s.waiters.append(Waiter(id: id, shared: shared, continuation: c))
                    return .wait
                }
                switch then {
                case .wait: break
                case .cancel: c.resume(throwing: CancellationError())
                case .lead: c.resume(returning: .lead([]))
                }
            }
        } onCancel: {
            // A write already taken into a batch is no longer in the line: it is being written.
            let removed = state.withLock { s -> CheckedContinuation<Turn, any Error>? in
                guard let i = s.waiters[s.head...].firstIndex(where: { $0.id == id }) else { return nil }
                return s.waiters.remove(at: i).continuation
            }
            removed?.resume(throwing: CancellationError())
        }
    }

    private func leave() {
        let next = state.withLock { s -> (CheckedContinuation<Turn, any Error>, Turn)? in
            guard s.head < s.waiters.count else { s.free += 1; return nil }
            let w = s.waiters[s.head]
            s.head += 1
            let companions = w.shared.map { takeAlong($0.share, &s) } ?? []
            // Drop the served part of the line once it is most of the array.
            if s.head > 32, s.head * 2 > s.waiters.count { s.waiters.removeFirst(s.head); s.head = 0 }
            return (w.continuation, .lead(companions))
        }
        if let (c, turn) = next { c.resume(returning: turn) }
    }

    /// Takes out of the line the shareable writes that can go with `share` (in the order they
    /// came; a write that cannot keeps its place, and no later write to its unit passes it).
    /// Looks at most 256 waiters.
    private func takeAlong(_ share: Share, _ s: inout State) -> [Companion] {
        var taken: [Companion] = []
        var units: Set<String> = [share.unit]
        var size = share.size
        var i = s.head, looked = 0
        while i < s.waiters.count, taken.count + 1 < batchLimit, size < batchSize, looked < 256 {
            looked += 1
            let w = s.waiters[i]
            guard let (o, item) = w.shared, o.key == share.key else { i += 1; continue }
            if size + o.size <= batchSize, !units.contains(o.unit) {
                size += o.size
                taken.append(Companion(item: item, continuation: w.continuation))
                s.waiters.remove(at: i)
            } else {
                i += 1
            }
            units.insert(o.unit)
        }
        return taken
    }
}
