import Synchronization
import Foundation
import Redis
import Testing
import TestSupport

@Suite("Redis client")
struct RedisClientTests {
    let redis: RedisClient
    let prefix = "test:\(UUID().uuidString.prefix(8)):"

    init() throws {
        redis = RedisClient(configuration: try .init(url: TestEnvironment.redisURL, connections: 4))
    }

    @Test func binarySafeValues() async throws {
        let bytes: [UInt8] = [0, 255, 13, 10, 0x24, 0, 1, 2, 0xc3, 0x28]
        try await redis.set(prefix + "bin", value: bytes)
        #expect(try await redis.get(prefix + "bin") == bytes)
        try await redis.set(prefix + "text", value: "héllo\r\nworld")
        #expect(try await redis.getString(prefix + "text") == "héllo\r\nworld")
        #expect(try await redis.get(prefix + "missing") == nil)
    }

    @Test func setOptionsExpireAndDelete() async throws {
        #expect(try await redis.set(prefix + "nx", value: "1", onlyIfNotExists: true))
        #expect(try await redis.set(prefix + "nx", value: "2", onlyIfNotExists: true) == false)
        #expect(try await redis.getString(prefix + "nx") == "1")
        try await redis.set(prefix + "px", value: "v", expiration: .milliseconds(50))
        try await redis.set(prefix + "ex", value: "v", expiration: .seconds(100))
        let ttl = try await redis.send(["TTL", RedisArgument(prefix + "ex")]).integer ?? 0
        #expect(ttl > 90 && ttl <= 100)
        try await Task.sleep(for: .milliseconds(120))
        #expect(try await redis.get(prefix + "px") == nil)
        try await redis.set(prefix + "e", value: "v")
        #expect(try await redis.expire(prefix + "e", seconds: 10))
        #expect(try await redis.del([prefix + "e", prefix + "nx", prefix + "none"]) == 2)
    }

    @Test func mgetAndIncr() async throws {
        try await redis.set(prefix + "a", value: "A")
        try await redis.set(prefix + "c", value: "C")
        let values = try await redis.mget([prefix + "a", prefix + "b", prefix + "c"])
        #expect(values.map { $0.map { String(decoding: $0, as: UTF8.self) } } == ["A", nil, "C"])
        #expect(try await redis.incr(prefix + "n") == 1)
        #expect(try await redis.incr(prefix + "n") == 2)
        let incs = try await withThrowingTaskGroup(of: Int.self) { g in
            for _ in 0..<100 { g.addTask { try await redis.incr(prefix + "c100") } }
            return try await g.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(Set(incs) == Set(1...100), "INCR is atomic across pooled connections")
    }

    @Test func scriptsRunAtomicallyByShaWithFallback() async throws {
        let script = RedisScript("local v = redis.call('INCRBY', KEYS[1], ARGV[1]); return v * 2")
        // A fresh script the server may not know: `run` falls back from EVALSHA to EVAL.
        _ = try await redis.send(["SCRIPT", "FLUSH"])
        #expect(try await redis.run(script, keys: [prefix + "s"], args: [RedisArgument(5)]).integer == 10)
        #expect(try await redis.scriptLoad(script.source) == script.sha1)
        #expect(try await redis.evalsha(script.sha1, keys: [prefix + "s"], args: [RedisArgument(1)]).integer == 12)
        #expect(try await redis.eval("return ARGV[1]", args: ["x\u{0}y"]).string == "x\u{0}y")
        let e = await #expect(throws: RedisError.self) { try await redis.evalsha(String(repeating: "0", count: 40)) }
        #expect(e?.message.hasPrefix("NOSCRIPT") == true)
    }

    @Test func publishAndSubscribe() async throws {
        let channel = prefix + "chan"
        let box = Mailbox<String>()
        let stream = redis.subscribe([channel])
        let reader = Task { for try await m in stream { await box.put(m.string) } }
        defer { reader.cancel() }
        var got: String?
        for _ in 0..<50 where got == nil {
            _ = try await redis.publish(channel, message: "hi \u{0} there")
            got = await box.first(within: .milliseconds(50))
        }
        #expect(got == "hi \u{0} there")
    }

    @Test func serverErrorsAreThrown() async throws {
        try await redis.set(prefix + "str", value: "x")
        let e = await #expect(throws: RedisError.self) { try await redis.incr(prefix + "str") }
        #expect(e?.code == .server)
    }
}

@Suite("Redis reconnect and timeouts")
struct RedisRestartTests {
    @Test func reconnectsAfterServerRestart() async throws {
        try await withPrivateRedis { server in
        let redis = RedisClient(configuration: try .init(url: server.url, connections: 2))
        try await redis.set("k", value: "before")
        #expect(try await redis.getString("k") == "before")
        try await server.stop()
        await #expect(throws: RedisError.self) { try await redis.get("k") }
        try await server.start()
        try await redis.set("k", value: "after")
        #expect(try await redis.getString("k") == "after")
        for _ in 0..<4 { #expect(try await redis.ping()) }
        }
    }

    /// A server that stops answering (its process stopped: the connection stays open) fails a
    /// command at the command's timeout; once it answers again, the client reconnects. The time
    /// limit is a hang guard: without the timeout the command would wait for the server forever.
    @Test(.timeLimit(.minutes(1))) func commandsAreBoundedByTheTimeout() async throws {
        try await withPrivateRedis { server in
            let slow = RedisClient(configuration: try .init(url: server.url, connections: 1, commandTimeout: .milliseconds(200)))
            #expect(try await slow.ping())
            server.pause()
            let error = await #expect(throws: RedisError.self) { try await slow.get("x") }
            // A fresh connection to the stopped server is bounded the same way (the kernel
            // accepts it; nobody answers).
            let fresh = RedisClient(configuration: try .init(url: server.url, connections: 1, commandTimeout: .milliseconds(200)))
            let second = await #expect(throws: RedisError.self) { try await fresh.ping() }
            server.resume()
            #expect(error?.code == .timeout, "\(String(describing: error))")
            #expect(second?.code == .timeout, "\(String(describing: second))")
            #expect(try await slow.ping(), "the client reconnects after a timeout")
            #expect(try await fresh.ping())
        }
    }
}
