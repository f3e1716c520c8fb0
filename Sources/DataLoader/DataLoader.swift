import Synchronization

/// Batches and caches loads of keys: every `load` made while the current piece of work runs
/// is coalesced into one call of the batch function `[Key] -> [Key: Value]`.
///
/// ```swift
/// let agents = DataLoader<UUID, Agent>(scheduler: scheduler) { ids in
///     try await db.agents(ids: ids)          // one query: WHERE id = ANY($1)
/// }
/// let agent = try await agents.load(id)      // nil when the batch had no value for it
/// ```
///
/// Keys are de-duplicated; a key missing from the batch result is `nil`, not an error; a failing
/// batch fails every waiter of that batch; results are cached for the loader's life (one request).
public final class DataLoader<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    public typealias BatchFunction = @Sendable ([Key]) async throws -> [Key: Value]

    public struct Options: Sendable {
        /// Largest batch passed to the batch function; more keys make several batches.
        public var maxBatchSize: Int
        /// Without a scheduler: how long to collect keys before dispatching (nil: a few scheduler turns).
        public var batchWindow: Duration?
        /// Cache results per key for the loader's life.
        public var caching: Bool

        public init(maxBatchSize: Int = 1_000, batchWindow: Duration? = nil, caching: Bool = true) {
            self.maxBatchSize = max(1, maxBatchSize)
            self.batchWindow = batchWindow
            self.caching = caching
        }
    }

    @usableFromInline enum Entry {
        case value(Value?)
        case failed(any Error)
        case pending
    }

    @usableFromInline enum LoadPlan {
        case done(Value?)
        case failed(any Error)
        case wait(schedule: Bool)
    }

    @usableFromInline struct State {
        @usableFromInline var cache: [Key: Entry] = [:]
        @usableFromInline var queue: [Key] = []
        @usableFromInline var waiters: [Key: [CheckedContinuation<Value?, any Error>]] = [:]
        @usableFromInline var scheduled = false
        @usableFromInline var batchCalls = 0
        @usableFromInline init() {}
    }

    // The loader's methods are inlinable so that the module using a loader compiles them for its
    // own key and value types (dictionary hashing and the state's enums without generic metadata
    // looked up at run time, which was about 2 % of TenantOverview's CPU).
    @usableFromInline let state = Mutex(State())
    @usableFromInline let batch: BatchFunction
    public let options: Options
    @usableFromInline let scheduler: (any BatchScheduler)?

    public init(options: Options = Options(), scheduler: (any BatchScheduler)? = nil, batch: @escaping BatchFunction) {
        self.options = options
        self.scheduler = scheduler
        self.batch = batch
    }

    /// How many times the batch function has been called (for tests and metrics).
    public var batchCallCount: Int { state.withLock { $0.batchCalls } }

    /// The value for `key`, or nil when the batch function returned none for it.
    @inlinable
    public func load(_ key: Key) async throws -> Value? {
        return try await withCheckedThrowingContinuation { cont in
            let plan: LoadPlan = state.withLock { s in
                if options.caching, let e = s.cache[key] {
                    switch e {
                    case .value(let v): return .done(v)
                    case .failed(let err): return .failed(err)
                    case .pending:
                        s.waiters[key, default: []].append(cont)
                        return .wait(schedule: false)
                    }
                }
                if s.waiters[key] == nil { s.queue.append(key) }
                s.waiters[key, default: []].append(cont)
                s.cache[key] = .pending
                let schedule = !s.scheduled
                s.scheduled = true
                return .wait(schedule: schedule)
            }
            switch plan {
            case .done(let v): cont.resume(returning: v)
            case .failed(let e): cont.resume(throwing: e)
            case .wait(let schedule):
                if let scheduler {
                    scheduler.waitBegan()
                    if schedule { scheduler.schedule { [self] in self.dispatch() } }
                } else if schedule {
                    let window = options.batchWindow
                    Task { [self] in
                        if let window { try? await Task.sleep(for: window) } else { for _ in 0..<3 { await Task.yield() } }
                        self.dispatch()
                    }
                }
            }
        }
    }

    /// Values for many keys, in one batch with any other pending keys; missing keys are absent.
    @inlinable
    public func loadMany(_ keys: [Key]) async throws -> [Key: Value] {
        try await withThrowingTaskGroup(of: (Key, Value?).self) { group in
            for k in Set(keys) { group.addTask { (k, try await self.load(k)) } }
            var out: [Key: Value] = [:]
            for try await (k, v) in group { if let v { out[k] = v } }
            return out
        }
    }

    /// Puts a value in the cache (e.g. after a mutation).
    @inlinable
    public func prime(_ key: Key, _ value: Value?) {
        state.withLock { s in
            if case .pending = s.cache[key] { return }
            s.cache[key] = .value(value)
        }
    }

    /// Forgets a cached key.
    @inlinable
    public func clear(_ key: Key) {
        state.withLock { s in
            if case .pending = s.cache[key] { return }
            s.cache[key] = nil
        }
    }

    /// Sends every queued key to the batch function now (in batches of `maxBatchSize`).
    @inlinable
    public func dispatch() {
        let keys: [Key] = state.withLock { s in
            let q = s.queue
            s.queue = []
            s.scheduled = false
            return q
        }
        guard !keys.isEmpty else { return }
        var start = 0
        while start < keys.count {
            let chunk = Array(keys[start..<min(keys.count, start + options.maxBatchSize)])
            start += options.maxBatchSize
            state.withLock { $0.batchCalls += 1 }
            // The batch counts as running work until its waiters run again: what it sends to
            // a database waits with the rest of the level (`IdleBatchScheduler.whenIdle`).
            scheduler?.workStarted()
            Task { [self] in
                let result: Result<[Key: Value], any Error>
                do { result = .success(try await batch(chunk)) } catch { result = .failure(error) }
                self.complete(chunk, result)
                scheduler?.workFinished()
            }
        }
    }

    @inlinable
    func complete(_ keys: [Key], _ result: Result<[Key: Value], any Error>) {
        var resumes: [(CheckedContinuation<Value?, any Error>, Result<Value?, any Error>)] = []
        state.withLock { s in
            for k in keys {
                let r: Result<Value?, any Error>
                switch result {
                case .success(let values): r = .success(values[k])
                case .failure(let e): r = .failure(e)
                }
                if options.caching {
                    switch r {
                    case .success(let v): s.cache[k] = .value(v)
                    case .failure: s.cache[k] = nil // a later load may retry
                    }
                } else {
                    s.cache[k] = nil
                }
                for w in s.waiters.removeValue(forKey: k) ?? [] { resumes.append((w, r)) }
            }
        }
        // Every waiter counts as running again before any of them runs, so the scheduler
        // cannot see an idle moment halfway through the wake-ups.
        for _ in resumes { scheduler?.waitEnded() }
        for (w, r) in resumes { w.resume(with: r) }
    }
}

/// Decides when loaders dispatch. A scheduler that knows when all work of a request is
/// waiting (like `IdleBatchScheduler` fed by the GraphQL executor) gives one batch per level.
public protocol BatchScheduler: Sendable {
    /// A loader has keys queued; call `dispatch` when it is time.
    func schedule(_ dispatch: @escaping @Sendable () -> Void)
    /// A caller started waiting on a loader.
    func waitBegan()
    /// A waiting caller is about to be resumed.
    func waitEnded()
    /// A loader's batch started running (it counts as running work until it is done).
    func workStarted()
    /// A loader's batch is done (its waiters were resumed).
    func workFinished()
}

extension BatchScheduler {
    public func workStarted() {}
    public func workFinished() {}
}

/// Dispatches queued loads when every tracked piece of work is waiting on a loader.
///
/// Work is tracked with `workStarted()` / `workFinished()` (the GraphQL executor calls these
/// for each resolver task and for itself while it launches them; a loader for each batch it
/// runs). When the count of running work reaches zero, every scheduled dispatch runs: all keys
/// of one level form one batch.
///
/// What is scheduled with `whenIdle` runs after that, once the dispatches' own batches wait too:
/// the statements of one level, sent to a database together (one round trip), see
/// `PostgresConnection.holdStatements`.
public final class IdleBatchScheduler: BatchScheduler {
    private struct State {
        var running = 0
        var dispatches: [@Sendable () -> Void] = []
        var idle: [@Sendable () -> Void] = []
    }
    private let state = Mutex(State())

    public init() {}

    public func workStarted() { state.withLock { $0.running += 1 } }

    public func workFinished() { change(-1) }

    public func waitBegan() { change(-1) }

    public func waitEnded() { state.withLock { $0.running += 1 } }

    public func schedule(_ dispatch: @escaping @Sendable () -> Void) {
        let fireNow = state.withLock { s -> Bool in
            s.dispatches.append(dispatch)
            return s.running <= 0
        }
        if fireNow { fire() }
    }

    /// Runs `body` when no work runs and no dispatch is due: after the loaders' batches of this
    /// idle moment have started and wait in turn.
    public func whenIdle(_ body: @escaping @Sendable () -> Void) {
        let fireNow = state.withLock { s -> Bool in
            s.idle.append(body)
            return s.running <= 0
        }
        if fireNow { fire() }
    }

    private func change(_ delta: Int) {
        let idle = state.withLock { s -> Bool in
            s.running += delta
            return s.running <= 0 && !(s.dispatches.isEmpty && s.idle.isEmpty)
        }
        if idle { fire() }
    }

    private func fire() {
        while true {
            let due = state.withLock { s -> [@Sendable () -> Void] in
                if !s.dispatches.isEmpty {
                    defer { s.dispatches = [] }
                    return s.dispatches
                }
                // A dispatch that started a batch made the count positive: the idle work waits
                // for that batch to wait.
                guard s.running <= 0, !s.idle.isEmpty else { return [] }
                defer { s.idle = [] }
                return s.idle
            }
            if due.isEmpty { return }
            for d in due { d() }
        }
    }
}
