/// Collects values from a background stream so a test can poll for them without blocking.
public actor Mailbox<T: Sendable> {
    public private(set) var items: [T] = []
    public init() {}
    public func put(_ item: T) { items.append(item) }

    /// Waits until an item arrives or `limit` passes, checking every 10 ms.
    public func first(within limit: Duration) async -> T? {
        let deadline = ContinuousClock.now + limit
        while items.isEmpty, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        return items.first
    }
}
