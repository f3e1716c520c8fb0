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
}
