import GraphQLCore

/// The streams the agents subgraph writes its transitions to (`agent-<id>`, `task-<id>`): the
/// read models and the task subscriptions follow these streams only, and no client appends to
/// them (an event of another stream named `TaskCompleted` is the client's own fact, not the
/// platform's).
public enum PlatformStreams {
    /// By bytes, as PostgreSQL's read models tell the streams apart (`left(stream_id, 6) =
    /// 'agent-'`): `String.hasPrefix` compares characters, and `agent-` followed by a combining
    /// mark does not start with the character `-`.
    public static func isReserved(_ stream: String) -> Bool {
        stream.utf8.starts(with: "agent-".utf8) || stream.utf8.starts(with: "task-".utf8)
    }
}

/// Text and count arguments of the platform's fields, checked where they come in: text that
/// goes into events and rows has a bound (it is read back by every history, subscription and
/// search), and a count is never negative.
public enum PlatformInput {
    /// `text` as a name or title: not blank, at most `maxBytes`.
    public static func name(_ text: String, _ what: String, maxBytes: Int = 1_024) throws {
        guard !text.allSatisfy(\.isWhitespace) else { throw GraphQLError("\(what) must not be empty.", code: "BAD_USER_INPUT") }
        try bounded(text, what, maxBytes: maxBytes)
    }

    /// `text` of at most `maxBytes`.
    public static func bounded(_ text: String?, _ what: String, maxBytes: Int) throws {
        guard let text, text.utf8.count > maxBytes else { return }
        throw GraphQLError("\(what) is \(text.utf8.count) bytes; at most \(maxBytes) are accepted.", code: "BAD_USER_INPUT",
                           extensions: ["maxBytes": .int(maxBytes)])
    }
}

extension Arguments {
    /// A page size or count argument: `fallback` when absent, at most `limit`; a negative one is
    /// the client's mistake (BAD_USER_INPUT), not an empty page.
    public func count(_ name: String, _ fallback: Int, limit: Int) throws -> Int {
        guard let n = int(name) else { return fallback }
        guard n >= 0 else { throw GraphQLError("\(name) must not be negative (it is \(n)).", code: "BAD_USER_INPUT") }
        return min(n, limit)
    }
}
