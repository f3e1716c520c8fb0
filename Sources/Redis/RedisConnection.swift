import CHiredis
import Dispatch
import Foundation

/// One hiredis context, used from one thread at a time (its owner's serial queue or thread).
final class RedisConnection: @unchecked Sendable {
    private var context: UnsafeMutablePointer<redisContext>?
    let address: RedisAddress
    let timeout: Duration

    init(address: RedisAddress, timeout: Duration) {
        self.address = address
        self.timeout = timeout
    }

    deinit { if let context { redisFree(context) } }

    private var timeval: timeval {
        let c = timeout.components
        let micros = c.attoseconds / 1_000_000_000_000
        return CHiredis.timeval(tv_sec: Int(c.seconds), tv_usec: Int(micros))
    }

    func connect() throws {
        close()
        guard let ctx = redisConnectWithTimeout(address.host, Int32(address.port), timeval) else {
            throw RedisError(.connectionFailed, "could not allocate a Redis context")
        }
        if ctx.pointee.err != 0 {
            let message = withUnsafeBytes(of: ctx.pointee.errstr) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            redisFree(ctx)
            throw RedisError(.connectionFailed, "could not connect to Redis at \(address.host):\(address.port): \(message)")
        }
        redisSetTimeout(ctx, timeval)
        context = ctx
        if let password = address.password {
            let r = try execute([RedisArgument("AUTH"), RedisArgument(password)])
            if case .error(let e) = r { close(); throw RedisError(.connectionFailed, "AUTH failed: \(e)") }
        }
        if address.database != 0 {
            let r = try execute([RedisArgument("SELECT"), RedisArgument(address.database)])
            if case .error(let e) = r { close(); throw RedisError(.connectionFailed, "SELECT failed: \(e)") }
        }
    }

    var isConnected: Bool { context.map { $0.pointee.err == 0 } ?? false }

    func close() {
        if let context { redisFree(context) }
        context = nil
    }

    private var errorMessage: String {
        guard let context else { return "not connected" }
        return withUnsafeBytes(of: context.pointee.errstr) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
    }

    /// Sends one command with binary-safe arguments (`redisCommandArgv`) and reads its reply.
    func execute(_ args: [RedisArgument]) throws -> RedisValue {
        guard let context else { throw RedisError(.closed, "not connected") }
        let reply: UnsafeMutableRawPointer? = withArgv(args) { argc, argv, lens in
            redisCommandArgv(context, argc, argv, lens)
        }
        guard let reply else {
            let msg = errorMessage
            let isTimeout = msg.contains("temporarily unavailable") || msg.contains("timed out")
            close()
            throw RedisError(isTimeout ? .timeout : .io, msg)
        }
        defer { freeReplyObject(reply) }
        return Self.convert(reply.assumingMemoryBound(to: redisReply.self))
    }

    private func withArgv<T>(_ args: [RedisArgument], _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> T) -> T {
        var storage: [UnsafeMutablePointer<CChar>] = []
        storage.reserveCapacity(args.count)
        defer { storage.forEach { $0.deallocate() } }
        var lengths: [Int] = []
        for a in args {
            let p = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, a.bytes.count))
            a.bytes.withUnsafeBufferPointer { src in
                if let base = src.baseAddress { UnsafeMutableRawPointer(p).copyMemory(from: base, byteCount: src.count) }
            }
            storage.append(p)
            lengths.append(a.bytes.count)
        }
        var argv: [UnsafePointer<CChar>?] = storage.map { UnsafePointer($0) }
        return argv.withUnsafeMutableBufferPointer { argvPtr in
            lengths.withUnsafeBufferPointer { lenPtr in
                body(Int32(args.count), argvPtr.baseAddress!, lenPtr.baseAddress!)
            }
        }
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

    // MARK: pub/sub reading (dedicated subscriber thread only)

    /// Waits up to `timeoutMs` for the next pushed reply.
    func readPushed(timeoutMs: Int32) throws -> RedisValue? {
        guard let context else { throw RedisError(.closed, "not connected") }
        var reply: UnsafeMutableRawPointer?
        if redisGetReplyFromReader(context, &reply) != REDIS_OK { close(); throw RedisError(.protocolError, "malformed reply") }
        if reply == nil {
            var pfd = pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, timeoutMs) <= 0 { return nil }
            if redisBufferRead(context) != REDIS_OK { let m = errorMessage; close(); throw RedisError(.io, m) }
            if redisGetReplyFromReader(context, &reply) != REDIS_OK { close(); throw RedisError(.protocolError, "malformed reply") }
        }
        guard let reply else { return nil }
        defer { freeReplyObject(reply) }
        return Self.convert(reply.assumingMemoryBound(to: redisReply.self))
    }

    /// Writes a command without waiting for its reply (subscriber connections).
    func send(_ args: [RedisArgument]) throws {
        guard let context else { throw RedisError(.closed, "not connected") }
        let status: Int32 = withArgv(args) { argc, argv, lens in redisAppendCommandArgv(context, argc, argv, lens) }
        guard status == REDIS_OK else { close(); throw RedisError(.io, "could not queue command") }
        var done: Int32 = 0
        while done == 0 {
            if redisBufferWrite(context, &done) != REDIS_OK { let m = errorMessage; close(); throw RedisError(.io, m) }
        }
    }
}
