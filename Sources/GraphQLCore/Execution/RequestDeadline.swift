import Synchronization

/// A request's `request_timeout_ms`, as the work under it sees it. A mutation that has begun — its
/// first root field sent to its subgraph, or run in-process — is not cut short by it: a field
/// cancelled half-way would leave its client not knowing what was written. Once `protected`, the
/// deadline passing only marks it `expired`, and no further root field begins (the running one
/// ends as it would, bounded by its subgraph's or statement's own timeout); the answer says which
/// fields did not run. Before that (parsing, planning, waiting) the request is cut short as any.
public final class RequestDeadline: Sendable {
    @TaskLocal public static var current: RequestDeadline?

    public let milliseconds: Int
    private struct State {
        var protected = false
        var expired = false
    }
    private let state = Mutex(State())

    public init(milliseconds: Int) { self.milliseconds = milliseconds }

    /// A mutation's first root field is about to be sent (or run): from now on the deadline no
    /// longer cancels the request. False when it has passed already (the client is answered 504):
    /// the mutation must not begin. True again once protected.
    public func protect() -> Bool {
        state.withLock { s in
            if s.protected { return true }
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

    /// The error of a mutation field not run because the deadline passed first: after fields that
    /// ran, or (`first`) before the mutation began.
    public func notRun(_ path: [PathElement], first: Bool = false) -> GraphQLError {
        GraphQLError(first ? "Not run: the request took longer than \(milliseconds) ms before the mutation began (nothing of it ran)."
                           : "Not run: the request took longer than \(milliseconds) ms before this mutation field began (the fields before it ran).",
                     path: path, code: "GATEWAY_TIMEOUT")
    }
}
