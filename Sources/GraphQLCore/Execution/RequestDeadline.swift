import Synchronization

/// A request's `request_timeout_ms`, as the work under it sees it. A mutation that has begun is
/// not cut short by it — a field cancelled half-way would leave its client not knowing what was
/// written —: once the mutation is `protected`, the deadline passing only marks it `expired`, and
/// the plan runs no further root field (the running one ends as it would, bounded by its
/// subgraph's or statement's own timeout); the answer says which fields did not run.
public final class RequestDeadline: Sendable {
    @TaskLocal public static var current: RequestDeadline?

    public let milliseconds: Int
    private struct State {
        var protected = false
        var expired = false
    }
    private let state = Mutex(State())

    public init(milliseconds: Int) { self.milliseconds = milliseconds }

    /// A mutation begins: the deadline no longer cancels the request. False when it has passed
    /// already (the client has its 504): the mutation must not begin.
    public func protect() -> Bool {
        state.withLock { s in
            guard !s.expired else { return false }
            s.protected = true
            return true
        }
    }

    /// The deadline passed: true when the request is to be cut short (504 and cancelled), false
    /// when a mutation under way is left to end its running field.
    public func expire() -> Bool {
        state.withLock { s in
            s.expired = true
            return !s.protected
        }
    }

    public var expired: Bool { state.withLock { $0.expired } }

    /// The error of a mutation field not run because the deadline passed first.
    public func notRun(_ path: [PathElement]) -> GraphQLError {
        GraphQLError("Not run: the request took longer than \(milliseconds) ms before this mutation field began (the fields before it ran).",
                     path: path, code: "GATEWAY_TIMEOUT")
    }
}
