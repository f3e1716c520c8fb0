/// A reply from Redis. Bulk strings are bytes: values are binary-safe.
public enum RedisValue: Sendable, Equatable {
    case null
    case bulk([UInt8])
    case status(String)
    case integer(Int)
    case error(String)
    case array([RedisValue])

    /// The reply as UTF-8 text, for bulk and status replies.
    public var string: String? {
        switch self {
        case .bulk(let b): return String(decoding: b, as: UTF8.self)
        case .status(let s): return s
        case .integer(let i): return String(i)
        default: return nil
        }
    }

    public var bytes: [UInt8]? {
        if case .bulk(let b) = self { return b }
        return nil
    }

    public var integer: Int? {
        switch self {
        case .integer(let i): return i
        case .bulk(let b): return Int(String(decoding: b, as: UTF8.self))
        default: return nil
        }
    }

    public var array: [RedisValue]? {
        if case .array(let a) = self { return a }
        return nil
    }
}

/// A command argument: text or raw bytes.
public struct RedisArgument: Sendable, ExpressibleByStringLiteral {
    public let bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ string: String) { self.bytes = Array(string.utf8) }
    public init(_ int: Int) { self.bytes = Array(String(int).utf8) }
    public init(stringLiteral value: String) { self.init(value) }
}

public struct RedisError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        case connectionFailed, io, server, timeout, protocolError, invalidURL, closed
    }
    public let code: Code
    /// Redis's own message (e.g. `NOSCRIPT No matching script`), for logs.
    public let message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { "redis \(code.rawValue): \(message)" }
}
