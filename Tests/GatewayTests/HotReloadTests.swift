import Foundation
import Logging
import Synchronization
import Gateway
import GraphQLCore
import Testing
import TestSupport

@Suite("Hot reload")
struct HotReloadTests {
    /// Keys read at start are named when a reload changes them (probe 56C: `compression` kept
    /// its old value without a word).
    @Test func keysReadAtStartAreNamedWhenChanged() throws {
        let running = try GatewayConfiguration.parse(yaml: "compression: false")
        #expect(try GatewayConfiguration.parse(yaml: "compression: true").keysNeedingRestart(comparedWith: running) == ["compression"])
        #expect(try GatewayConfiguration.parse(yaml: "csrf: { enabled: true }").keysNeedingRestart(comparedWith: running) == ["csrf"])
        #expect(try GatewayConfiguration.parse(yaml: "limits: { max_depth: 3 }").keysNeedingRestart(comparedWith: running) == [])
    }

    /// With a supergraph file, a `subgraphs` entry naming none of its graphs is said to be unused.
    @Test func aSubgraphEntryTheSupergraphDoesNotNameIsWarnedAbout() throws {
        let path = TestEnvironment.repositoryRoot.appendingPathComponent("Tests/Fixtures/guild-federation/supergraph.graphql").path
        var config = try GatewayConfiguration.parse(yaml: #"subgraphs: [{ name: products, url: "http://127.0.0.1:9/p" }, { name: other, url: "http://127.0.0.1:9/o" }]"#)
        config.supergraph = path
        let supergraph = try SchemaLoader.supergraph(try String(contentsOfFile: path, encoding: .utf8), config)
        let warnings = SchemaLoader.warnings(supergraph, config)
        #expect(warnings.count == 1 && warnings[0].hasPrefix("subgraphs: 'other' names no subgraph of the supergraph file"), "\(warnings)")
    }

    @Test func aChangedSupergraphIsServedAndABrokenOneIsNot() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reload-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let original = try benchFile("supergraph.graphql")
        let supergraphFile = dir.appendingPathComponent("supergraph.graphql")
        try original.write(to: supergraphFile, atomically: true, encoding: .utf8)
        let configFile = dir.appendingPathComponent("gateway.yaml")
        try """
        listen: "127.0.0.1:0"
        supergraph: supergraph.graphql
        subgraphs:
          - { name: accounts, module: bench_accounts }
          - { name: inventory, module: bench_inventory }
          - { name: products, module: bench_products }
          - { name: reviews, module: bench_reviews }
        """.write(to: configFile, atomically: true, encoding: .utf8)
        let config = try GatewayConfiguration.load(path: configFile.path)
        let server = try await GatewayServer.fromConfiguration(config, reloadFrom: configFile.path)
        try await withServer(server) { client in
            let before = try await client.query("{ me { name birthday } }")
            #expect(before.text == #"{"data":{"me":{"name":"Uri Goldshtein","birthday":1234567890}}}"#)
            // A new supergraph without User.birthday: the gateway swaps to it.
            try original.replacingOccurrences(of: "    birthday: Int @join__field(graph: ACCOUNTS)\n", with: "")
                .write(to: supergraphFile, atomically: true, encoding: .utf8)
            var status = 0
            for _ in 0..<60 {
                status = try await client.query("{ me { birthday } }").status
                if status == 422 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(status == 422, "the reloaded schema has no User.birthday")
            // A broken file is reported and the schema in use stays.
            try "this is not a supergraph".write(to: supergraphFile, atomically: true, encoding: .utf8)
            try await Task.sleep(for: .milliseconds(2_500))
            let still = try await client.query("{ me { name } }")
            #expect(still.text == #"{"data":{"me":{"name":"Uri Goldshtein"}}}"#)
            let gone = try await client.query("{ me { birthday } }")
            #expect(gone.status == 422)
        }
    }

    /// A configuration of these platform modules on the fixture's PostgreSQL and Redis.
    static func writePlatformConfig(_ modules: [String], _ fixture: PlatformFixture, to file: URL) throws {
        try """
        listen: "127.0.0.1:0"
        subgraphs:
        \(modules.map { "  - { name: \($0), module: \($0) }" }.joined(separator: "\n"))
        tenancy: { development_header: true }
        postgres: { url: "\(fixture.db.appURL)", owner_url: "\(fixture.db.ownerURL)" }
        redis: { url: "\(fixture.redis.url)" }
        """.write(to: file, atomically: true, encoding: .utf8)
    }

    /// A subscription running when the configuration changes keeps its plan on the old schema
    /// until it ends: it still receives events appended after the reload, while new requests see
    /// the new schema.
    @Test(.timeLimit(.minutes(2))) func aReloadKeepsRunningSubscriptions() async throws {
        try await withPlatform { fixture, _, _ in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reload-sub-\(UUID())")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let configFile = dir.appendingPathComponent("gateway.yaml")
            func write(_ modules: [String]) throws { try Self.writePlatformConfig(modules, fixture, to: configFile) }
            try write(["tenants", "agents", "events", "projections"])
            var config = try GatewayConfiguration.load(path: configFile.path, environment: [:])
            config.baseDirectory = TestEnvironment.repositoryRoot.path   // Schema/ of the repository
            let server = try await GatewayServer.fromConfiguration(config, reloadFrom: configFile.path)
            try await withServer(server) { client in
                let acme = [("x-tenant", "acme")]
                let sse = try ChildProcess("/usr/bin/env", ["python3", TaskQueueTests.script("sse_subscribe.py"), client.base + "/graphql",
                                                            #"subscription { events(streamId: "reload-probe") { type version } }"#, #"{"x-tenant":"acme"}"#])
                defer { sse.stop() }
                _ = try await sse.firstLine { $0 == "ready" || $0.hasPrefix("error") ? $0 : nil }
                try await TaskQueueTests.waitForSubscriptions(1) { server.liveSubscriptions }
                let first = try await client.query(#"mutation { appendEvents(streamId: "reload-probe", expectedVersion: 0, events: [{type: "BeforeReload"}]) { toVersion } }"#, headers: acme)
                #expect(first.json?["data"]?["appendEvents"]?["toVersion"] == 1, "\(first.text)")
                #expect(try await sse.firstLine { $0.contains("BeforeReload") || $0.hasPrefix("error") ? $0 : nil } == #"{"events":{"type":"BeforeReload","version":1}}"#)

                // The new configuration drops agents and projections.
                try write(["tenants", "events"])
                var status = 0
                for _ in 0..<100 {
                    status = try await client.query("{ agents(first: 1) { name } }", headers: acme).status
                    if status != 200 { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(status == 422, "the reloaded schema has no Query.agents")
                // The running subscription is still there, and still delivers.
                #expect(server.liveSubscriptions == 1)
                let second = try await client.query(#"mutation { appendEvents(streamId: "reload-probe", expectedVersion: 1, events: [{type: "AfterReload"}]) { toVersion } }"#, headers: acme)
                #expect(second.json?["data"]?["appendEvents"]?["toVersion"] == 2, "\(second.text)")
                #expect(try await sse.firstLine { $0.contains("AfterReload") || $0.hasPrefix("error") ? $0 : nil } == #"{"events":{"type":"AfterReload","version":2}}"#)
            }
        }
    }

    /// A reload that failed only because a new subgraph did not answer yet is tried again: once
    /// the subgraph is up, the gateway serves it (the failed files were never tried again).
    @Test(.timeLimit(.minutes(2))) func aReloadThatFailedOnAnUnreachableSubgraphIsRetried() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reload-retry-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let configFile = dir.appendingPathComponent("gateway.yaml")
        let accounts = """
            listen: "127.0.0.1:0"
            subgraphs:
              - { name: accounts, module: bench_accounts }
            """
        try accounts.write(to: configFile, atomically: true, encoding: .utf8)
        let lines = Mutex<[String]>([])
        let logger = Logger(label: "reload-test") { label in
            LineLogHandler(label: label, format: .json, level: .info) { bytes in lines.withLock { $0.append(String(decoding: bytes, as: UTF8.self)) } }
        }
        let server = try await GatewayServer.fromConfiguration(try GatewayConfiguration.load(path: configFile.path), reloadFrom: configFile.path, logger: logger)
        try await withServer(server) { client in
            // The new subgraph's port is bound but not listening: its SDL cannot be fetched.
            let down = closedPort()
            var closed = false
            defer { if !closed { close(down.socket) } }
            try (accounts + "\n  - { name: notes, url: \"http://127.0.0.1:\(down.port)/graphql\" }\n").write(to: configFile, atomically: true, encoding: .utf8)
            var failures = 0
            for _ in 0..<100 {
                failures = lines.withLock { $0.filter { $0.contains("reload failed") }.count }
                if failures > 0 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(failures == 1, "the failed reload is logged")
            #expect(try await client.query("{ noteCount }").status == 422, "the previous schema is served")
            // The subgraph comes up on that port: the same files load now.
            close(down.socket)
            closed = true
            let script = TestEnvironment.repositoryRoot.appendingPathComponent("Tests/Fixtures/python-subgraph/notes_subgraph.py").path
            let notes = try ChildProcess("/usr/bin/env", ["python3", script, "\(down.port)"])
            defer { notes.stop() }
            _ = try await notes.firstLine { Int($0) }
            var answer: GatewayResponse?
            for _ in 0..<200 {
                let r = try await client.query("{ noteCount }")
                if r.status == 200 { answer = r; break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(answer?.text == #"{"data":{"noteCount":3}}"#, "\(answer?.text ?? "still refused")")
            // The same failure was logged once, not on every try.
            #expect(lines.withLock { $0.filter { $0.contains("reload failed") }.count } == 1, "\(lines.withLock { $0 })")
        }
    }

    /// A broken configuration is logged each time it is written: broken, put back, broken again
    /// (the second break was silent: the failure of the first was kept and matched it). Keys a
    /// reload does not read are warned about, as at start, and header rules for a subgraph the
    /// configuration does not list.
    @Test(.timeLimit(.minutes(2))) func eachBreakOfTheConfigurationIsLoggedAndUnknownKeysAtReloadToo() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reload-rebreak-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let configFile = dir.appendingPathComponent("gateway.yaml")
        let good = """
            listen: "127.0.0.1:0"
            subgraphs:
              - { name: accounts, module: bench_accounts }
            """
        let broken = good + "\nlimits: { max_depth: [ }\n"
        try good.write(to: configFile, atomically: true, encoding: .utf8)
        let lines = Mutex<[String]>([])
        let logger = Logger(label: "reload-test") { label in
            LineLogHandler(label: label, format: .json, level: .info) { bytes in lines.withLock { $0.append(String(decoding: bytes, as: UTF8.self)) } }
        }
        func count(_ text: String) -> Int { lines.withLock { $0.filter { $0.contains(text) }.count } }
        func waitFor(_ text: String, _ n: Int) async throws {
            for _ in 0..<200 where count(text) < n { try await Task.sleep(for: .milliseconds(50)) }
            #expect(count(text) == n, "\(text) × \(n): \(lines.withLock { $0 })")
        }
        let server = try await GatewayServer.fromConfiguration(try GatewayConfiguration.load(path: configFile.path), reloadFrom: configFile.path, logger: logger)
        try await withServer(server) { client in
            try broken.write(to: configFile, atomically: true, encoding: .utf8)
            try await waitFor("reload failed", 1)
            try good.write(to: configFile, atomically: true, encoding: .utf8)
            try await waitFor("back to the ones being served", 1)
            try broken.write(to: configFile, atomically: true, encoding: .utf8)
            try await waitFor("reload failed", 2)
            #expect(try await client.query("{ me { name } }").status == 200, "the previous schema is served")
            // Loads, with a misspelt key and header rules for no subgraph of its own.
            try (good + "\nlimts: { max_depth: 3 }\nheaders:\n  subgraphs:\n    acounts: { propagate: [x-a] }\n")
                .write(to: configFile, atomically: true, encoding: .utf8)
            try await waitFor("reloaded the configuration", 1)
            let warned = lines.withLock { $0 }.filter { $0.contains("warning") }
            #expect(warned.contains { $0.contains("unknown configuration key ignored") && $0.contains(#""key":"limts""#) }, "\(warned)")
            #expect(warned.contains { $0.contains("headers.subgraphs.acounts names no subgraph of the configuration") }, "\(warned)")
        }
    }

    /// A module a reload adds starts its background work: the projection runner follows the
    /// event store (it was mounted and answered, but never ran: `lag` grew for ever).
    @Test(.timeLimit(.minutes(2))) func aModuleAddedByAReloadStartsItsBackgroundWork() async throws {
        try await withPlatform { fixture, _, _ in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reload-work-\(UUID())")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let configFile = dir.appendingPathComponent("gateway.yaml")
            func write(_ modules: [String]) throws { try Self.writePlatformConfig(modules, fixture, to: configFile) }
            try write(["tenants", "events"])
            var config = try GatewayConfiguration.load(path: configFile.path, environment: [:])
            config.baseDirectory = TestEnvironment.repositoryRoot.path
            let server = try await GatewayServer.fromConfiguration(config, reloadFrom: configFile.path)
            try await withServer(server) { client in
                let acme = [("x-tenant", "acme")]
                try write(["tenants", "events", "projections"])
                var mounted = false
                for _ in 0..<100 {
                    if try await client.query("{ projections { name } }", headers: acme).status == 200 { mounted = true; break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(mounted, "the reload mounts projections")
                let appended = try await client.query(#"mutation { appendEvents(streamId: "reload-work", expectedVersion: 0, events: [{type: "AfterReload"}]) { toVersion } }"#, headers: acme)
                #expect(appended.json?["data"]?["appendEvents"]?["toVersion"] == 1, "\(appended.text)")
                // The runner catches up (on the append's notification, or its 5 s tick).
                var lags: [Int] = []
                for _ in 0..<150 {
                    let r = try await client.query("{ projections { lag } }", headers: acme)
                    lags = r.json?["data"]?["projections"]?.arrayValue?.compactMap { $0["lag"]?.intValue } ?? []
                    if !lags.isEmpty && lags.allSatisfy({ $0 == 0 }) { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(!lags.isEmpty && lags.allSatisfy { $0 == 0 }, "the read models follow the event store after the reload: lags \(lags)")
            }
        }
    }

    /// Limits and expose_query_plan apply on reload; keys read at start (here tenancy) are named
    /// in a warning instead of being reported as reloaded.
    @Test func limitsApplyOnReloadAndKeysNeedingARestartAreNamed() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reload-limits-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let configFile = dir.appendingPathComponent("gateway.yaml")
        func write(depth: Int, extra: String) throws {
            try """
            listen: "127.0.0.1:0"
            subgraphs:
              - { name: accounts, module: bench_accounts }
              - { name: reviews, module: bench_reviews }
            limits: { max_depth: \(depth) }
            \(extra)
            """.write(to: configFile, atomically: true, encoding: .utf8)
        }
        try write(depth: 10, extra: "")
        let lines = Mutex<[String]>([])
        let logger = Logger(label: "reload-test") { label in
            LineLogHandler(label: label, format: .json, level: .info) { bytes in lines.withLock { $0.append(String(decoding: bytes, as: UTF8.self)) } }
        }
        let server = try await GatewayServer.fromConfiguration(try GatewayConfiguration.load(path: configFile.path), reloadFrom: configFile.path, logger: logger)
        try await withServer(server) { client in
            let deep = "{ me { reviews { author { reviews { body } } } } }"
            #expect(try await client.query(deep).status == 200)
            // A WebSocket open across the reload runs its next operation under the new limits.
            let release = dir.appendingPathComponent("release").path
            let port = client.base.split(separator: ":").last.map(String.init)!
            let script = """
                import json, os, time, websockets.sync.client as c
                with c.connect("ws://127.0.0.1:\(port)/graphql", subprotocols=["graphql-transport-ws"], open_timeout=10) as ws:
                    ws.send(json.dumps({"type": "connection_init"}))
                    ws.recv(timeout=10)
                    def run(i):
                        ws.send(json.dumps({"id": str(i), "type": "subscribe", "payload": {"query": "\(deep)"}}))
                        m = json.loads(ws.recv(timeout=10))
                        if m["type"] == "next": ws.recv(timeout=10)
                        print(m["type"] if m["type"] != "error" else "error " + m["payload"][0]["extensions"]["code"], flush=True)
                    run(1)
                    while not os.path.exists("\(release)"): time.sleep(0.02)
                    run(2)
                """
            let ws = try ChildProcess("/usr/bin/env", ["python3", "-c", script])
            defer { ws.stop() }
            #expect(try await ws.firstLine { $0 == "next" || $0.hasPrefix("error") ? $0 : nil } == "next")
            try write(depth: 3, extra: "expose_query_plan: true\ntenancy: { development_header: true }")
            var refused: GatewayResponse?
            for _ in 0..<100 {
                let r = try await client.query(deep)
                if r.status != 200 { refused = r; break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(refused?.status == 400)
            #expect(refused?.json?["errors"]?[0]?["extensions"]?["code"] == "MAX_DEPTH_EXCEEDED")
            #expect(FileManager.default.createFile(atPath: release, contents: Data()))
            let said = try await ws.lines(2) { $0 == "next" || $0.hasPrefix("error") }
            #expect(said == ["next", "error MAX_DEPTH_EXCEEDED"], "\(ws.lines)")
            let planned = try await client.query("{ me { name } }", headers: [("x-switchyard-query-plan", "true")])
            #expect(planned.json?["extensions"]?["queryPlan"]?.stringValue?.contains("Fetch") == true, "\(planned.text)")
            let warning = lines.withLock { $0 }.first { $0.contains("need a restart") }
            #expect(warning?.contains(#""keys":"tenancy""#) == true, "\(lines.withLock { $0 })")
        }
    }
}
