import CoreMetrics
import Crypto
import Foundation
import IOReadiness
import Synchronization
import Tracing

/// A pool of Redis connections, driven without blocking a thread: a command is written and its
/// reply read on the task that sends it, waiting for the socket on `ReadinessLoop` (like the
/// PostgreSQL driver). One command at a time per connection; a command goes to the least busy
/// one and waits its turn there. A broken connection is reopened and the command retried once,
/// so a Redis restart is survived; each command (and each connect) is bounded by
/// `commandTimeout`.
///
/// ```swift
/// let redis = try RedisClient(configuration: .init(url: "redis://127.0.0.1:63799"))
/// try await redis.set("tenant:acme:k", value: "v", expiration: .seconds(60))
/// let v = try await redis.get("tenant:acme:k")
/// ```
public final class RedisClient: Sendable {
    public struct Configuration: Sendable {
        public var address: RedisAddress
        public var connections: Int
        public var commandTimeout: Duration

        public init(url: String, connections: Int = 8, commandTimeout: Duration = .seconds(2)) throws {
            self.address = try RedisAddress(url: url)
            self.connections = max(1, connections)
            self.commandTimeout = commandTimeout
        }
    }

    private final class Slot: Sendable {
        /// Used only by the task that holds the turn.
        let connection: RedisConnection
        let inFlight = Atomic<Int>(0)
        let turn = Turn()
        init(_ c: RedisConnection) { connection = c }
    }

    public let configuration: Configuration
    private let slots: [Slot]

    public init(configuration: Configuration) {
        self.configuration = configuration
        self.slots = (0..<configuration.connections).map { _ in
            Slot(RedisConnection(address: configuration.address, timeout: configuration.commandTimeout))
        }
    }

    /// Sends a raw command, e.g. `send(["HSET", "k", "f", "v"])`. A Redis error reply is thrown.
    @discardableResult
    public func send(_ args: [RedisArgument]) async throws -> RedisValue {
        // A client span per command: its name only (the arguments are values).
        let command = args.first.map { String(decoding: $0.bytes, as: UTF8.self).uppercased() } ?? "REDIS"
        return try await driverSpan(command) { span in
            if span.isRecording {
                span.attributes["db.system"] = "redis"
                span.attributes["db.statement"] = command
            }
            return try await sendUntraced(args)
        }
    }

    private func sendUntraced(_ args: [RedisArgument]) async throws -> RedisValue {
        let slot = slots.min { $0.inFlight.load(ordering: .relaxed) < $1.inFlight.load(ordering: .relaxed) }!
        slot.inFlight.wrappingAdd(1, ordering: .relaxed)
        defer { slot.inFlight.wrappingSubtract(1, ordering: .relaxed) }
        let value: RedisValue
        do {
            await slot.turn.take()
            defer { slot.turn.pass() }
            value = try await Self.execute(args, on: slot.connection)
        } catch {
            Counter(label: "switchyard_redis_errors_total").increment()
            throw error
        }
        if case .error(let message) = value {
            // NOSCRIPT is the expected answer that makes `run` load a script, not a failure.
            if !message.hasPrefix("NOSCRIPT") { Counter(label: "switchyard_redis_errors_total").increment() }
            throw RedisError(.server, message)
        }
        return value
    }

    private static func execute(_ args: [RedisArgument], on c: RedisConnection) async throws -> RedisValue {
        let wasConnected = c.isConnected
        if !wasConnected { try await c.connect() }
        do {
            return try await c.execute(args)
        } catch let e as RedisError where e.code == .io && wasConnected {
            // The connection went stale (e.g. the server restarted): reopen and retry once.
            try await c.connect()
            return try await c.execute(args)
        }
    }

    public func ping() async throws -> Bool { try await send(["PING"]).string == "PONG" }

    public func get(_ key: String) async throws -> [UInt8]? {
        try await send(["GET", RedisArgument(key)]).bytes
    }

    public func getString(_ key: String) async throws -> String? {
        try await get(key).map { String(decoding: $0, as: UTF8.self) }
    }

    public enum Expiration: Sendable {
        case seconds(Int)
        case milliseconds(Int)
    }

    /// `SET key value [EX s | PX ms] [NX]`; returns false when NX prevented the write.
    @discardableResult
    public func set(_ key: String, value: [UInt8], expiration: Expiration? = nil, onlyIfNotExists: Bool = false) async throws -> Bool {
        var args: [RedisArgument] = ["SET", RedisArgument(key), RedisArgument(value)]
        switch expiration {
        case .seconds(let s): args += ["EX", RedisArgument(s)]
        case .milliseconds(let ms): args += ["PX", RedisArgument(ms)]
        case nil: break
        }
        if onlyIfNotExists { args.append("NX") }
        return try await send(args) != .null
    }

    @discardableResult
    public func set(_ key: String, value: String, expiration: Expiration? = nil, onlyIfNotExists: Bool = false) async throws -> Bool {
        try await set(key, value: Array(value.utf8), expiration: expiration, onlyIfNotExists: onlyIfNotExists)
    }

    @discardableResult
    public func del(_ keys: [String]) async throws -> Int {
        guard !keys.isEmpty else { return 0 }
        return try await send(["DEL"] + keys.map { RedisArgument($0) }).integer ?? 0
    }

    public func mget(_ keys: [String]) async throws -> [[UInt8]?] {
        guard !keys.isEmpty else { return [] }
        return try await send(["MGET"] + keys.map { RedisArgument($0) }).array?.map(\.bytes) ?? []
    }

    public func incr(_ key: String) async throws -> Int {
        try await send(["INCR", RedisArgument(key)]).integer ?? 0
    }

    @discardableResult
    public func expire(_ key: String, seconds: Int) async throws -> Bool {
        try await send(["EXPIRE", RedisArgument(key), RedisArgument(seconds)]).integer == 1
    }

    public func eval(_ script: String, keys: [String] = [], args: [RedisArgument] = []) async throws -> RedisValue {
        try await send(["EVAL", RedisArgument(script), RedisArgument(keys.count)] + keys.map { RedisArgument($0) } + args)
    }

    public func evalsha(_ sha: String, keys: [String] = [], args: [RedisArgument] = []) async throws -> RedisValue {
        try await send(["EVALSHA", RedisArgument(sha), RedisArgument(keys.count)] + keys.map { RedisArgument($0) } + args)
    }

    public func scriptLoad(_ script: String) async throws -> String {
        try await send(["SCRIPT", "LOAD", RedisArgument(script)]).string ?? ""
    }

    /// Runs a script by its SHA, loading it first when the server does not have it (`NOSCRIPT`).
    public func run(_ script: RedisScript, keys: [String] = [], args: [RedisArgument] = []) async throws -> RedisValue {
        do {
            return try await evalsha(script.sha1, keys: keys, args: args)
        } catch let e as RedisError where e.code == .server && e.message.hasPrefix("NOSCRIPT") {
            return try await eval(script.source, keys: keys, args: args)
        }
    }

    @discardableResult
    public func publish(_ channel: String, message: String) async throws -> Int {
        try await send(["PUBLISH", RedisArgument(channel), RedisArgument(message)]).integer ?? 0
    }

    /// Messages published on `channels`, read on a connection of their own (by a task waiting
    /// for its socket) that resubscribes after a reconnect. Ending the iteration unsubscribes.
    public func subscribe(_ channels: [String]) -> AsyncThrowingStream<RedisMessage, Error> {
        let address = configuration.address
        let timeout = configuration.commandTimeout
        return AsyncThrowingStream { continuation in
            let reading = Task {
                let c = RedisConnection(address: address, timeout: timeout)
                var backoff = Duration.milliseconds(50)
                while !Task.isCancelled {
                    do {
                        if !c.isConnected {
                            try await c.connect()
                            try await c.send(["SUBSCRIBE"] + channels.map { RedisArgument($0) })
                            backoff = .milliseconds(50)
                        }
                        guard let parts = try await c.reply(deadline: nil).array, parts.count == 3,
                              parts[0].string == "message", let channel = parts[1].string, let payload = parts[2].bytes
                        else { continue }
                        continuation.yield(RedisMessage(channel: channel, payload: payload))
                    } catch {
                        c.close()
                        if Task.isCancelled { break }
                        try? await Task.sleep(for: backoff)
                        backoff = min(backoff * 2, .seconds(2))
                    }
                }
                c.close()
                continuation.finish()
            }
            continuation.onTermination = { _ in reading.cancel() }
        }
    }
}

/// One connection's turn: tasks take it in the order they asked, one at a time.
final class Turn: Sendable {
    private struct State {
        var taken = false
        var waiting: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    func take() async {
        let free = state.withLock { s -> Bool in
            guard s.taken else { s.taken = true; return true }
            return false
        }
        if free { return }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                guard s.taken else { s.taken = true; return true }
                s.waiting.append(c)
                return false
            }
            if now { c.resume() }
        }
    }

    func pass() {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard !s.waiting.isEmpty else { s.taken = false; return nil }
            return s.waiting.removeFirst()
        }
        next?.resume()
    }
}

public struct RedisMessage: Sendable, Equatable {
    public let channel: String
    public let payload: [UInt8]
    public var string: String { String(decoding: payload, as: UTF8.self) }
}

/// A Lua script and its SHA-1, for `EVALSHA`.
public struct RedisScript: Sendable {
    public let source: String
    public let sha1: String
    public init(_ source: String) {
        self.source = source
        self.sha1 = Insecure.SHA1.hash(data: Array(source.utf8)).map { b in let h = String(b, radix: 16); return h.count == 1 ? "0" + h : h }.joined()
    }
}

