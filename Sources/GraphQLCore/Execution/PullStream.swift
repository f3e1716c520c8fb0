/// Streams that pull: each element is made from the base sequence when the consumer asks for the
/// next one, in the consumer's task. Nothing is buffered between them, so a slow consumer holds
/// the base back (a bounded source then notices it, e.g. an event feed's subscriber falling
/// behind) instead of a pump filling an unbounded buffer in between; cancelling the consumer
/// cancels the work on the current element.
///
/// ```swift
/// let results = PullStream.map(events) { event in try await execute(event) }
/// ```
public enum PullStream {
    /// Each element of `base` through `transform` (`nil` skips the element); an error ends the stream with it.
    public static func map<Base: AsyncSequence & Sendable, T: Sendable>(
        _ base: Base, _ transform: @escaping @Sendable (Base.Element) async throws -> T?
    ) -> AsyncThrowingStream<T, any Error> {
        let box = IteratorBox(base.makeAsyncIterator())
        return AsyncThrowingStream(unfolding: {
            while let element = try await box.next() {
                if let value = try await transform(element) { return value }
            }
            return nil
        })
    }

    /// The same without errors: a failure becomes one last element (`onError`, or none when it
    /// answers `nil`), then the end.
    public static func map<Base: AsyncSequence & Sendable, T: Sendable>(
        _ base: Base, onError: @escaping @Sendable (any Error) -> T?, _ transform: @escaping @Sendable (Base.Element) async throws -> T?
    ) -> AsyncStream<T> {
        let box = IteratorBox(base.makeAsyncIterator())
        return AsyncStream(unfolding: {
            guard !box.ended else { return nil }
            do {
                while let element = try await box.next() {
                    if let value = try await transform(element) { return value }
                }
            } catch {
                box.ended = true
                return onError(error)
            }
            box.ended = true
            return nil
        })
    }
}

/// The base's iterator, advanced by one consumer at a time (an unfolding stream asks serially).
private final class IteratorBox<Iterator: AsyncIteratorProtocol>: @unchecked Sendable {
    var iterator: Iterator
    var ended = false
    init(_ iterator: Iterator) { self.iterator = iterator }
    func next() async throws -> Iterator.Element? { try await iterator.next() }
}
