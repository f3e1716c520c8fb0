import CHiredis
import Foundation

/// One connection to Redis, used by one task at a time (its slot's turn, or its subscriber).
/// The bytes travel over `RedisStream` (TCP, or TLS for `rediss://`), non-blocking; commands are
/// written in RESP here, and hiredis's reader turns the bytes back into replies.
final class RedisConnection: @unchecked Sendable {
    private var stream: RedisStream?
    private var reader: UnsafeMutablePointer<redisReader>?
    private var tlsContext: RedisTLSContext?
    /// Where replies are read to before hiredis's reader takes them.
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 << 10, alignment: 1)
    let address: RedisAddress
    let timeout: Duration

    init(address: RedisAddress, timeout: Duration) {
        self.address = address
        self.timeout = timeout
    }

    deinit {
        close()
        buffer.deallocate()
    }

    /// Connects, shakes hands over TLS and authenticates, all within the timeout.
    func connect() async throws {
        close()
        let deadline = ContinuousClock.now + timeout
        if let settings = address.tls, tlsContext == nil { tlsContext = try RedisTLSContext(settings) }
        stream = try await RedisStream(address: address, deadline: deadline, tls: tlsContext)
        reader = redisReaderCreate()
        if let password = address.password {
            let r = try await execute(["AUTH"] + (address.user.map { [RedisArgument($0)] } ?? []) + [RedisArgument(password)], deadline: deadline)
            if case .error(let e) = r { close(); throw RedisError(.connectionFailed, "AUTH failed: \(e)") }
        }
        if address.database != 0 {
            let r = try await execute([RedisArgument("SELECT"), RedisArgument(address.database)], deadline: deadline)
            if case .error(let e) = r { close(); throw RedisError(.connectionFailed, "SELECT failed: \(e)") }
        }
    }

    var isConnected: Bool { stream != nil }

    func close() {
        stream?.close()
        stream = nil
        if let reader { redisReaderFree(reader) }
        reader = nil
    }

    /// Sends one command (binary-safe arguments) and reads its reply, both within the timeout.
    /// A broken or timed-out connection is closed (its replies would be out of step) and the
    /// error thrown.
    func execute(_ args: [RedisArgument]) async throws -> RedisValue {
        try await execute(args, deadline: ContinuousClock.now + timeout)
    }

    private func execute(_ args: [RedisArgument], deadline: ContinuousClock.Instant) async throws -> RedisValue {
        try await send(args, deadline: deadline)
        return try await reply(deadline: deadline)
    }

    /// Writes a command without reading its reply (a subscriber's `SUBSCRIBE`).
    func send(_ args: [RedisArgument], deadline: ContinuousClock.Instant? = nil) async throws {
        guard let stream else { throw RedisError(.closed, "not connected") }
        do { try await stream.write(Self.command(args), deadline: deadline ?? ContinuousClock.now + timeout) } catch {
            close()
            throw error
        }
    }

    /// The next reply: within `deadline`, or (none) as long as it takes — a pushed message —
    /// until the task is cancelled.
    func reply(deadline: ContinuousClock.Instant?) async throws -> RedisValue {
        while true {
            if let reply = try nextReply() { return reply }
            guard let stream, let reader else { throw RedisError(.closed, "not connected") }
            do {
                let n = try await stream.read(into: buffer, deadline: deadline)
                guard redisReaderFeed(reader, buffer.baseAddress!.assumingMemoryBound(to: CChar.self), n) == REDIS_OK else {
                    throw RedisError(.protocolError, "malformed reply")
                }
            } catch {
                close()
                throw error
            }
        }
    }

    /// A complete reply from what has been read, or nil when more bytes are needed.
    private func nextReply() throws -> RedisValue? {
        guard let reader else { throw RedisError(.closed, "not connected") }
        var reply: UnsafeMutableRawPointer?
        guard redisReaderGetReply(reader, &reply) == REDIS_OK else { close(); throw RedisError(.protocolError, "malformed reply") }
        guard let reply else { return nil }
        defer { freeReplyObject(reply) }
        return Self.convert(reply.assumingMemoryBound(to: redisReply.self))
    }

    /// A command in RESP: an array of bulk strings (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`).
    static func command(_ args: [RedisArgument]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16 + args.reduce(0) { $0 + $1.bytes.count + 16 })
        func line(_ marker: UInt8, _ n: Int) {
            out.append(marker)
            out.append(contentsOf: String(n).utf8)
            out.append(13)
            out.append(10)
        }
        line(UInt8(ascii: "*"), args.count)
        for a in args {
            line(UInt8(ascii: "$"), a.bytes.count)
            out.append(contentsOf: a.bytes)
            out.append(13)
            out.append(10)
        }
        return out
    }

    static func convert(_ r: UnsafeMutablePointer<redisReply>) -> RedisValue {
        let reply = r.pointee
        switch reply.type {
        case REDIS_REPLY_STRING:
            return .bulk(reply.str.map { Array(UnsafeRawBufferPointer(start: $0, count: reply.len)) } ?? [])
        case REDIS_REPLY_STATUS:
            return .status(reply.str.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: reply.len), as: UTF8.self) } ?? "")
        case REDIS_REPLY_ERROR:
            return .error(reply.str.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: reply.len), as: UTF8.self) } ?? "")
        case REDIS_REPLY_INTEGER:
            return .integer(Int(reply.integer))
        case REDIS_REPLY_ARRAY:
            var items: [RedisValue] = []
            items.reserveCapacity(reply.elements)
            for i in 0..<reply.elements { items.append(convert(reply.element[i]!)) }
            return .array(items)
        default:
            return .null
        }
    }
}
