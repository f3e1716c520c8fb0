import CHiredis
import Foundation

/// One connection to Redis, used from one thread at a time (its owner's serial queue or thread).
/// The bytes travel over `RedisStream` (TCP, or TLS for `rediss://`); hiredis formats the
/// commands and its reader turns the bytes back into replies.
final class RedisConnection: @unchecked Sendable {
    private var stream: RedisStream?
    private var reader: UnsafeMutablePointer<redisReader>?
    private var tlsContext: RedisTLSContext?
    let address: RedisAddress
    let timeout: Duration

    init(address: RedisAddress, timeout: Duration) {
        self.address = address
        self.timeout = timeout
    }

    deinit { close() }

    func connect() throws {
        close()
        if let settings = address.tls, tlsContext == nil { tlsContext = try RedisTLSContext(settings) }
        stream = try RedisStream(address: address, timeout: timeout, tls: tlsContext)
        reader = redisReaderCreate()
        if let password = address.password {
            let r = try execute(["AUTH"] + (address.user.map { [RedisArgument($0)] } ?? []) + [RedisArgument(password)])
            if case .error(let e) = r { close(); throw RedisError(.connectionFailed, "AUTH failed: \(e)") }
        }
        if address.database != 0 {
            let r = try execute([RedisArgument("SELECT"), RedisArgument(address.database)])
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

    /// Sends one command (binary-safe arguments) and reads its reply. A broken or timed-out
    /// connection is closed (its replies would be out of step) and the error thrown.
    func execute(_ args: [RedisArgument]) throws -> RedisValue {
        try send(args)
        while true {
            if let reply = try nextReply() { return reply }
            try fill()
        }
    }

    /// Writes a command without waiting for its reply (subscriber connections).
    func send(_ args: [RedisArgument]) throws {
        guard let stream else { throw RedisError(.closed, "not connected") }
        var command: UnsafeMutablePointer<CChar>?
        let length = withArgv(args) { argc, argv, lens in redisFormatCommandArgv(&command, argc, argv, lens) }
        guard length >= 0, let command else { throw RedisError(.io, "could not format the command") }
        defer { redisFreeCommand(command) }
        do { try stream.write(UnsafeRawBufferPointer(start: command, count: Int(length))) } catch {
            close()
            throw error
        }
    }

    /// Waits up to `timeoutMs` for the next pushed reply (pub/sub).
    func readPushed(timeoutMs: Int32) throws -> RedisValue? {
        if let reply = try nextReply() { return reply }
        guard let stream else { throw RedisError(.closed, "not connected") }
        if !stream.hasBufferedBytes {
            var pfd = pollfd(fd: stream.fileDescriptor, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, timeoutMs) <= 0 { return nil }
        }
        try fill()
        return try nextReply()
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

    /// Reads the bytes there are (waiting up to the timeout for some) into the reader.
    private func fill() throws {
        guard let stream, let reader else { throw RedisError(.closed, "not connected") }
        do {
            try withUnsafeTemporaryAllocation(byteCount: 16 * 1024, alignment: 1) { buffer in
                let n = try stream.read(into: buffer)
                guard redisReaderFeed(reader, buffer.baseAddress!.assumingMemoryBound(to: CChar.self), n) == REDIS_OK else {
                    throw RedisError(.protocolError, "malformed reply")
                }
            }
        } catch {
            close()
            throw error
        }
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
}
