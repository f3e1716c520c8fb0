import DataLoader
import Synchronization
import Testing

final class Calls: Sendable {
    let batches = Mutex<[[Int]]>([])
    func record(_ keys: [Int]) { batches.withLock { $0.append(keys) } }
    var all: [[Int]] { batches.withLock { $0 } }
}

struct LoadFailed: Error, Equatable {}

@Suite("DataLoader")
struct DataLoaderTests {
    @Test func coalescesAndDeduplicatesKeysIntoOneBatch() async throws {
        let calls = Calls()
        // Each load counts as running work until it waits on the loader: the batch is dispatched
        // once all seven wait, however late the machine starts their tasks.
        let keys = [1, 2, 3, 2, 1, 3, 4]
        let scheduler = IdleBatchScheduler()
        for _ in keys { scheduler.workStarted() }
        let loader = DataLoader<Int, String>(scheduler: scheduler) { keys in
            calls.record(keys)
            return Dictionary(uniqueKeysWithValues: keys.map { ($0, "v\($0)") })
        }
        let values = try await withThrowingTaskGroup(of: String?.self) { g in
            for k in keys { g.addTask { try await loader.load(k) } }
            return try await g.reduce(into: [String?]()) { $0.append($1) }
        }
        #expect(values.compactMap { $0 }.sorted() == ["v1", "v1", "v2", "v2", "v3", "v3", "v4"])
        #expect(calls.all.count == 1)
        #expect(calls.all.first?.sorted() == [1, 2, 3, 4])
    }

    @Test func missingKeyIsNilAndCachedValuesAreNotReloaded() async throws {
        let calls = Calls()
        let loader = DataLoader<Int, String> { keys in
            calls.record(keys)
            return keys.contains(1) ? [1: "one"] : [:]
        }
        #expect(try await loader.load(1) == "one")
        #expect(try await loader.load(2) == nil)
        #expect(try await loader.load(1) == "one")
        #expect(try await loader.load(2) == nil)
        #expect(calls.all == [[1], [2]], "a cached value (and a cached miss) is not loaded again")
        loader.clear(1)
        _ = try await loader.load(1)
        #expect(calls.all.count == 3)
        loader.prime(9, "primed")
        #expect(try await loader.load(9) == "primed")
    }

    @Test func oneBatchFailureReachesEveryWaiter() async throws {
        let calls = Calls()
        let scheduler = IdleBatchScheduler()
        for _ in 0..<10 { scheduler.workStarted() }
        let loader = DataLoader<Int, String>(scheduler: scheduler) { keys in
            calls.record(keys)
            throw LoadFailed()
        }
        let outcomes = await withTaskGroup(of: Bool.self) { g in
            for k in 0..<10 { g.addTask { do { _ = try await loader.load(k); return false } catch { return error is LoadFailed } } }
            return await g.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes == Array(repeating: true, count: 10))
        #expect(calls.all.count == 1)
    }

    @Test func maxBatchSizeSplitsBatches() async throws {
        let calls = Calls()
        let scheduler = IdleBatchScheduler()
        for _ in 0..<10 { scheduler.workStarted() }   // loadMany's ten loads: one dispatch once all wait
        let loader = DataLoader<Int, Int>(options: .init(maxBatchSize: 4), scheduler: scheduler) { keys in
            calls.record(keys)
            return Dictionary(uniqueKeysWithValues: keys.map { ($0, $0 * 10) })
        }
        let values = try await loader.loadMany(Array(0..<10))
        #expect(values.count == 10)
        #expect(values[7] == 70)
        #expect(calls.all.map(\.count).sorted() == [2, 4, 4])
    }

    @Test func idleSchedulerDispatchesWhenAllWorkWaits() async throws {
        let scheduler = IdleBatchScheduler()
        let calls = Calls()
        let loader = DataLoader<Int, Int>(scheduler: scheduler) { keys in
            calls.record(keys)
            return Dictionary(uniqueKeysWithValues: keys.map { ($0, $0) })
        }
        // 100 tracked pieces of work, started slowly: none may dispatch until all wait.
        scheduler.workStarted() // the launcher itself
        let results = try await withThrowingTaskGroup(of: Int?.self) { g in
            for k in 0..<100 {
                scheduler.workStarted()
                g.addTask {
                    defer { scheduler.workFinished() }
                    return try await loader.load(k)
                }
                if k % 10 == 0 { try await Task.sleep(for: .milliseconds(2)) }
            }
            scheduler.workFinished()
            return try await g.reduce(into: [Int?]()) { $0.append($1) }
        }
        #expect(results.count == 100)
        #expect(calls.all.count == 1, "one batch for the whole level, got \(calls.all.map(\.count))")
    }

    /// What waits for the idle moment (a request's held statements) runs after the loaders'
    /// dispatches of that moment, once the batches they started wait in turn.
    @Test func idleWorkRunsAfterTheDispatchesBatchesWait() {
        let scheduler = IdleBatchScheduler()
        let log = Calls()
        scheduler.workStarted()                       // a resolver runs
        scheduler.whenIdle { log.record([2]) }         // a statement is held
        scheduler.schedule {                          // a loader has keys
            log.record([1])
            scheduler.workStarted()                   // its batch starts
        }
        #expect(log.all.isEmpty, "nothing while the resolver runs")
        scheduler.workFinished()                      // the resolver waits
        #expect(log.all == [[1]], "the loader dispatched; the statement waits for its batch")
        scheduler.workFinished()                      // the batch waits too
        #expect(log.all == [[1], [2]])
    }
}
