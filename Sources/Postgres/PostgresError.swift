/// An error from the PostgreSQL client.
///
/// `description` never contains SQL text or credentials (a failed connection's carries libpq's reason); the server's message is kept in
/// `serverMessage` for logs, and `sqlState` carries the SQLSTATE code when the server sent one.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        case connectionFailed
        case connectionClosed
        case poolTimeout
        case poolClosed
        case server
        case decoding
        case invalidURL
        /// The connection was lost while `COMMIT` was in flight: the transaction may or may not
        /// have been applied (never retried blindly).
        case commitOutcomeUnknown
        /// A statement's result took the connection's `readBudget` past its limit (the
        /// connection and its transaction are fine; the result was dropped).
        case readLimitExceeded
    }

    public let code: Code
    public let sqlState: String?
    /// The server's or libpq's own message: may contain data, keep it out of client responses.
    public let serverMessage: String?
    public let detail: String

    init(_ code: Code, _ detail: String, sqlState: String? = nil, serverMessage: String? = nil) {
        self.code = code
        self.detail = detail
        self.sqlState = sqlState
        self.serverMessage = serverMessage
    }

    public var description: String {
        // libpq's reason a connection failed (refused, TLS, authentication) names the host and
        // port but never a password or data, and an operator needs it.
        if code == .connectionFailed, let serverMessage, !serverMessage.isEmpty {
            return "postgres \(code.rawValue): \(detail): \(serverMessage)"
        }
        if let sqlState { return "postgres \(code.rawValue) (\(sqlState)): \(detail)" }
        return "postgres \(code.rawValue): \(detail)"
    }

    /// The connection was lost (`e`) while a `COMMIT` was in flight.
    static func commitOutcomeUnknown(_ e: PostgresError) -> PostgresError {
        PostgresError(.commitOutcomeUnknown, "the connection was lost while committing: the transaction may or may not have been applied",
                      serverMessage: e.serverMessage)
    }

    /// A text parameter held a NUL byte: refused before the statement was sent, with the SQLSTATE
    /// the server gives it (22021, a data exception), so that it fails alone — sent, it would
    /// abort its transaction and the statements sharing it.
    static let nulInText = PostgresError(.server, "a text parameter holds a NUL byte", sqlState: "22021",
                                         serverMessage: "invalid byte sequence for encoding \"UTF8\": 0x00")

    /// `23505`: a unique constraint was violated.
    public var isUniqueViolation: Bool { sqlState == "23505" }

    /// SQLSTATE class 22 (data exception: a value that does not convert) or 23 (integrity
    /// constraint violation): the statement's data was refused, not the connection or the server.
    public var isDataOrIntegrityError: Bool { sqlState.map { $0.hasPrefix("22") || $0.hasPrefix("23") } ?? false }
}
