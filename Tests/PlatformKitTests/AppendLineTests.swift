import PlatformKit
import Synchronization
import Testing

/// A value several tasks share (a `Mutex` in a class: closures that capture it stay `Sendable`).
private final class Shared<Value: Sendable>: Sendable {
    private let m: Mutex<Value>
    init(_ value: Value) { m = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R { m.withLock { body(&$0) } }
}

@Suite("The event store's append line")
struct AppendLineTests {
    /// Writes beyond the line's width wait, and go in the order they came.
    @Test func writesBeyondTheWidthWaitAndGoInOrder() async throws {
        let line = AppendLine(width: 1)
        let log = Shared<[Int]>([])
        let (release, releaser) = AsyncStream<Void>.makeStream()
        let first = Task { try await line.run { log.withLock { $0.append(0) }; for await _ in release { break } } }
        while log.withLock({ $0.count }) < 1 { try await Task.sleep(for: .milliseconds(1)) }
        var waiting: [Task<Void, any Error>] = []
        for i in 1...3 {
            waiting.append(Task { try await line.run { log.withLock { $0.append(i) } } })
            while line.waiting < i { try await Task.sleep(for: .milliseconds(1)) }
        }
        #expect(log.withLock { $0 } == [0], "nothing passes while the first holds the turn")
        releaser.yield()
        releaser.finish()
        try await first.value
        for t in waiting { try await t.value }
        #expect(log.withLock { $0 } == [0, 1, 2, 3])
        #expect(line.waiting == 0)
    }

    /// Two at a time go through a line of width 2; the third waits for one of them.
    @Test func theWidthIsHowManyGoAtOnce() async throws {
        let line = AppendLine(width: 2)
        let inside = Shared(0)
        let (release, releaser) = AsyncStream<Void>.makeStream()
        let holders = (0..<2).map { _ in Task { try await line.run { inside.withLock { $0 += 1 }; for await _ in release { break } } } }
        while inside.withLock({ $0 }) < 2 { try await Task.sleep(for: .milliseconds(1)) }
        let third = Task { try await line.run { inside.withLock { $0 += 1 } } }
        while line.waiting < 1 { try await Task.sleep(for: .milliseconds(1)) }
        #expect(inside.withLock { $0 } == 2)
        releaser.finish()
        for h in holders { try await h.value }
        try await third.value
        #expect(inside.withLock { $0 } == 3)
    }

    /// A waiter whose task is cancelled (its request timed out, its client left) leaves the
    /// line without running; the turn still comes back.
    @Test func aCancelledWaiterLeavesTheLine() async throws {
        let line = AppendLine(width: 1)
        let (release, releaser) = AsyncStream<Void>.makeStream()
        let holding = Shared(false)
        let first = Task { try await line.run { holding.withLock { $0 = true }; for await _ in release { break } } }
        while !holding.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(1)) }
        let ran = Shared(false)
        let cancelled = Task { try await line.run { ran.withLock { $0 = true } } }
        while line.waiting < 1 { try await Task.sleep(for: .milliseconds(1)) }
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(line.waiting == 0)
        releaser.finish()
        try await first.value
        #expect(!ran.withLock { $0 })
        #expect(try await line.run { "free" } == "free")
    }

    /// Shareable writes that queue behind a held turn go together when the turn comes: those
    /// with the leader's key and a unit not yet taken, in the order they came, up to the batch's
    /// limits; the others keep their place and go in the next turn. Each gets its own outcome.
    @Test func writesQueuedTogetherGoInOneBatch() async throws {
        let line = AppendLine(width: 1, batchLimit: 3, batchSize: 10)
        let batches = Shared<[[String]]>([])
        let (release, releaser) = AsyncStream<Void>.makeStream()
        let holding = Shared(false)
        let first = Task { try await line.run { holding.withLock { $0 = true }; for await _ in release { break } } }
        while !holding.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(1)) }
        // (key, unit, size): t1/a leads; t1/b and t1/d come along (t2/c is another key, t1/a
        // the same unit, t1/e would be a fourth write); the next turn takes t2/c alone, then
        // t1/a with t1/e; t1/big (size 11) is larger than a batch and goes alone.
        let writes = [("t1", "a", 2), ("t1", "b", 2), ("t2", "c", 2), ("t1", "a", 2), ("t1", "d", 2), ("t1", "e", 2), ("t1", "big", 11)]
        var tasks: [Task<String, any Error>] = []
        for (n, w) in writes.enumerated() {
            let item = "\(w.0)/\(w.1)"
            tasks.append(Task {
                try await line.run(item, sharing: .init(key: w.0, unit: w.1, size: w.2)) { (items: [String]) -> [Result<String, any Error>] in
                    batches.withLock { $0.append(items) }
                    return items.map { .success("wrote \($0)") }
                }
            })
            while line.waiting < n + 1 { try await Task.sleep(for: .milliseconds(1)) }
        }
        releaser.finish()
        try await first.value
        var outcomes: [String] = []
        for t in tasks { outcomes.append(try await t.value) }
        #expect(outcomes == writes.map { "wrote \($0.0)/\($0.1)" }, "each write gets its own outcome")
        #expect(batches.withLock { $0 } == [["t1/a", "t1/b", "t1/d"], ["t2/c"], ["t1/a", "t1/e"], ["t1/big"]])
        #expect(line.waiting == 0)
        #expect(try await line.run { "free" } == "free")
    }

    /// A write that fails in a batch fails alone: the batch's `write` answers each its outcome.
    /// A write taken into a batch runs even when its own task is cancelled meanwhile (it is
    /// being written); one still waiting leaves the line.
    @Test func eachWriteOfABatchGetsItsOwnOutcome() async throws {
        struct Refused: Error, Equatable { let item: String }
        let line = AppendLine(width: 1)
        let (release, releaser) = AsyncStream<Void>.makeStream()
        let holding = Shared(false)
        let first = Task { try await line.run { holding.withLock { $0 = true }; for await _ in release { break } } }
        while !holding.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(1)) }
        let write: @Sendable ([String]) async -> [Result<String, any Error>] = { items in
            items.map { $0 == "bad" ? .failure(Refused(item: $0)) : .success($0) }
        }
        let good = Task { try await line.run("good", sharing: .init(key: "t", unit: "1", size: 1), write) }
        while line.waiting < 1 { try await Task.sleep(for: .milliseconds(1)) }
        let bad = Task { try await line.run("bad", sharing: .init(key: "t", unit: "2", size: 1), write) }
        while line.waiting < 2 { try await Task.sleep(for: .milliseconds(1)) }
        let gone = Task { try await line.run("gone", sharing: .init(key: "t", unit: "3", size: 1), write) }
        while line.waiting < 3 { try await Task.sleep(for: .milliseconds(1)) }
        gone.cancel()
        await #expect(throws: CancellationError.self) { try await gone.value }
        releaser.finish()
        try await first.value
        #expect(try await good.value == "good")
        await #expect(throws: Refused(item: "bad")) { try await bad.value }
        #expect(line.waiting == 0)
    }

    /// A batch is written to the end even when the task of the write whose turn it is gets
    /// cancelled meanwhile (its client left): the writes it took along get their outcomes.
    @Test func aBatchIsNotCancelledWithItsLeader() async throws {
        let line = AppendLine(width: 1)
        let (hold, holdEnd) = AsyncStream<Void>.makeStream()
        let holding = Shared(false)
        let first = Task { try await line.run { holding.withLock { $0 = true }; for await _ in hold { break } } }
        while !holding.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(1)) }
        let (go, goOn) = AsyncStream<Void>.makeStream()
        let writing = Shared(false), sawCancel = Shared(false)
        let write: @Sendable ([String]) async -> [Result<String, any Error>] = { items in
            writing.withLock { $0 = true }
            for await _ in go { break }
            sawCancel.withLock { $0 = Task.isCancelled }
            return items.map { .success($0) }
        }
        let leader = Task { try await line.run("leader", sharing: .init(key: "t", unit: "1", size: 1), write) }
        while line.waiting < 1 { try await Task.sleep(for: .milliseconds(1)) }
        let companion = Task { try await line.run("companion", sharing: .init(key: "t", unit: "2", size: 1), write) }
        while line.waiting < 2 { try await Task.sleep(for: .milliseconds(1)) }
        holdEnd.finish()
        try await first.value
        while !writing.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(1)) }
        leader.cancel()
        goOn.finish()
        #expect(try await companion.value == "companion")
        #expect(try await leader.value == "leader")
        #expect(!sawCancel.withLock { $0 }, "the batch's write did not see the leader's cancellation")
    }

    /// A write left out of a batch (here: too large to join it) keeps its place: no later write
    /// to its unit passes it, though later writes to other units still join.
    @Test func aWriteLeftOutOfABatchIsNotPassedByALaterOneToItsUnit() async throws {
        let line = AppendLine(width: 1, batchLimit: 32, batchSize: 10)
        let batches = Shared<[[String]]>([])
        let (release, releaser) = AsyncStream<Void>.makeStream()
        let holding = Shared(false)
        let first = Task { try await line.run { holding.withLock { $0 = true }; for await _ in release { break } } }
        while !holding.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(1)) }
        let writes = [("a", 5), ("x", 9), ("x", 1), ("y", 1)]
        var tasks: [Task<String, any Error>] = []
        for (n, w) in writes.enumerated() {
            let item = "\(w.0)\(w.1)"
            tasks.append(Task {
                try await line.run(item, sharing: .init(key: "t", unit: w.0, size: w.1)) { (items: [String]) -> [Result<String, any Error>] in
                    batches.withLock { $0.append(items) }
                    return items.map { .success($0) }
                }
            })
            while line.waiting < n + 1 { try await Task.sleep(for: .milliseconds(1)) }
        }
        releaser.finish()
        try await first.value
        for t in tasks { _ = try await t.value }
        #expect(batches.withLock { $0 } == [["a5", "y1"], ["x9"], ["x1"]])
    }

    /// Many short turns through a line of width 1, plain and shareable: every one comes through
    /// (a turn freed while a write was getting ready to wait is not lost). The time limit only
    /// stops a hang: alone it takes well under a second, but once, under the full suite beside
    /// three probes' gateways on two cores, it ran past a minute.
    @Test(.timeLimit(.minutes(3))) func manyShortTurnsAllComeThrough() async throws {
        let line = AppendLine(width: 1)
        let done = Shared(0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for t in 0..<8 {
                group.addTask {
                    for i in 0..<2_000 {
                        if (t + i) % 2 == 0 {
                            try await line.run { done.withLock { $0 += 1 } }
                        } else {
                            _ = try await line.run(i, sharing: .init(key: "k", unit: "\(t)", size: 1)) { (items: [Int]) -> [Result<Int, any Error>] in
                                done.withLock { $0 += items.count }
                                return items.map { .success($0) }
                            }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(done.withLock { $0 } == 16_000)
        #expect(line.waiting == 0)
    }
}
