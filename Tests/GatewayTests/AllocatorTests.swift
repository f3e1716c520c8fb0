import Foundation
import Testing
import TestSupport

/// The `switchyard` executable links jemalloc ahead of the C library (Package.swift,
/// Sources/SwitchyardAllocator): a change of link order would silently bring glibc's malloc back.
@Suite("Allocator")
struct AllocatorTests {
    @Test func theServedGatewayAllocatesThroughJemalloc() async throws {
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("allocator-\(UUID().uuidString).yaml").path
        try """
        listen: "127.0.0.1:0"
        subgraphs:
          - { name: accounts, module: bench_accounts }
        """.write(toFile: config, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let binary = TestEnvironment.repositoryRoot.appendingPathComponent(".build/debug/switchyard").path
        var env = ProcessInfo.processInfo.environment
        env["LOG_LEVEL"] = "info"
        for k in ["SWITCHYARD_POSTGRES_URL", "SWITCHYARD_POSTGRES_OWNER_URL", "SWITCHYARD_REDIS_URL", "SWITCHYARD_LISTEN"] { env[k] = nil }
        let child = try ChildProcess(binary, ["serve", "--config", config], environment: env, outputIsStderr: true)
        defer { child.stop() }
        // `allocator="jemalloc 5.3.0, arenas 1, background purge"`: a value of more than one word is quoted.
        let allocator: String = try await child.firstLine { line in
            guard let r = line.range(of: "allocator=\""), let end = line[r.upperBound...].firstIndex(of: "\"") else { return nil }
            return String(line[r.upperBound..<end])
        }
        #expect(allocator.hasPrefix("jemalloc 5."), "\(allocator)")
        // One arena for the process and a thread that purges freed pages (allocator.c's
        // malloc_conf), unless MALLOC_CONF says otherwise.
        if env["MALLOC_CONF"] == nil {
            #expect(allocator.hasSuffix(", arenas 1, background purge"), "\(allocator)")
        }
    }
}

/// `switchyard check` refuses what `switchyard serve` would refuse: a supergraph whose remote
/// subgraph has no usable URL (Apollo's test supergraphs say `none` or nothing) and gateway.yaml
/// gives it none.
@Suite("Check command")
struct CheckCommandTests {
    @Test func checkRefusesASubgraphWithoutAUsableURLAsServeDoes() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let binary = TestEnvironment.repositoryRoot.appendingPathComponent(".build/debug/switchyard").path
        let sdl = "extend schema @link(url: \"https://specs.apollo.dev/federation/v2.9\", import: [\"@key\"])\ntype Query { hello: String }\n"
        try sdl.write(to: dir.appendingPathComponent("a.graphql"), atomically: true, encoding: .utf8)
        for (n, url) in ["none", ""].enumerated() {
            // A supergraph with that URL, as `compose` writes it from a subgraph whose url it is.
            let composeConfig = dir.appendingPathComponent("compose-\(n).yaml").path
            try "subgraphs:\n  - { name: a, url: \"http://127.0.0.1:1/graphql\", schema: a.graphql }\n".write(toFile: composeConfig, atomically: true, encoding: .utf8)
            let composed = try await runProcess(binary, ["compose", "--config", composeConfig])
            #expect(composed.status == 0, "\(composed.output)")
            let supergraph = composed.output.replacingOccurrences(of: "http://127.0.0.1:1/graphql", with: url)
            try supergraph.write(to: dir.appendingPathComponent("supergraph-\(n).graphql"), atomically: true, encoding: .utf8)
            let config = dir.appendingPathComponent("gateway-\(n).yaml").path
            try "supergraph: supergraph-\(n).graphql\n".write(toFile: config, atomically: true, encoding: .utf8)
            let checked = try await runProcess(binary, ["check", "--config", config])
            #expect(checked.status != 0, "'\(url)': \(checked.output)")
            #expect(checked.output.contains("no usable URL"), "'\(url)': \(checked.output)")
        }
    }

    /// A supergraph file with a syntax error is refused with the file and the line and column.
    @Test func aSupergraphSyntaxErrorSaysWhere() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("check-syntax-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let binary = TestEnvironment.repositoryRoot.appendingPathComponent(".build/debug/switchyard").path
        try "schema {\n  query: Query\n}\n\ntype Query {\n  a(: Int\n}\n".write(to: dir.appendingPathComponent("broken.graphql"), atomically: true, encoding: .utf8)
        let config = dir.appendingPathComponent("gateway.yaml").path
        try "supergraph: broken.graphql\n".write(toFile: config, atomically: true, encoding: .utf8)
        let checked = try await runProcess(binary, ["check", "--config", config])
        #expect(checked.status != 0, "\(checked.output)")
        #expect(checked.output.contains("broken.graphql:6:5: Syntax Error"), "\(checked.output)")
    }

    /// `check` refuses token key files `serve` cannot read (it said "configuration ok"), and
    /// `compose` a `supergraph:` file that is not one (it printed it); `check` prints a warning for
    /// header rules of a subgraph the configuration does not list.
    @Test func checkAndComposeRefuseWhatServeWould() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("check-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let binary = TestEnvironment.repositoryRoot.appendingPathComponent(".build/debug/switchyard").path
        var env = ProcessInfo.processInfo.environment
        for k in ["SWITCHYARD_POSTGRES_URL", "SWITCHYARD_POSTGRES_OWNER_URL", "SWITCHYARD_REDIS_URL", "SWITCHYARD_LISTEN"] { env[k] = nil }
        for key in ["hs256_secret_file: missing.key", "public_keys: [missing.pem]", "jwks_file: missing.json"] {
            let config = dir.appendingPathComponent("auth.yaml").path
            try "subgraphs:\n  - { name: accounts, module: bench_accounts }\nauth:\n  jwt: { \(key) }\n".write(toFile: config, atomically: true, encoding: .utf8)
            let checked = try await runProcess(binary, ["check", "--config", config], environment: env)
            #expect(checked.status != 0, "\(key): \(checked.output)")
            #expect(checked.output.contains("auth.jwt: cannot read missing."), "\(key): \(checked.output)")
        }
        // TLS files: the listener's and a subgraph's, each named by its key.
        for (yaml, said) in [("tls: { certificate_file: missing.pem, key_file: missing.key }\n", "tls.certificate_file: "),
                             ("  - { name: remote, url: \"https://127.0.0.1:1/graphql\", tls: { ca_file: missing-ca.pem } }\n", "subgraphs[remote].tls.ca_file: ")] {
            let config = dir.appendingPathComponent("tls.yaml").path
            let subgraphs = "subgraphs:\n  - { name: accounts, module: bench_accounts }\n"
            try (subgraphs + yaml).write(toFile: config, atomically: true, encoding: .utf8)
            let checked = try await runProcess(binary, ["check", "--config", config], environment: env)
            #expect(checked.status != 0, "\(yaml): \(checked.output)")
            #expect(checked.output.contains(said), "\(yaml): \(checked.output)")
        }
        try "type Query { a: Int }\n".write(to: dir.appendingPathComponent("plain.graphql"), atomically: true, encoding: .utf8)
        let config = dir.appendingPathComponent("plain.yaml").path
        try "supergraph: plain.graphql\n".write(toFile: config, atomically: true, encoding: .utf8)
        let composed = try await runProcess(binary, ["compose", "--config", config], environment: env)
        #expect(composed.status != 0, "\(composed.output)")
        #expect(!composed.output.contains("type Query { a: Int }"), "\(composed.output)")
        let headers = dir.appendingPathComponent("headers.yaml").path
        try "subgraphs:\n  - { name: accounts, module: bench_accounts }\nheaders:\n  subgraphs:\n    acounts: { propagate: [x-a] }\n"
            .write(toFile: headers, atomically: true, encoding: .utf8)
        let warned = try await runProcess(binary, ["check", "--config", headers], environment: env)
        #expect(warned.status == 0, "\(warned.output)")
        #expect(warned.output.contains("warning: \(headers): headers.subgraphs.acounts names no subgraph of the configuration"), "\(warned.output)")
    }

    /// `switchyard subgraph` reads its configuration as `serve` does: a file it cannot read, or
    /// one with a refused value, stops it with the reason (it served on defaults, introspection on).
    @Test func subgraphRefusesAConfigurationItCannotLoad() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("subgraph-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let binary = TestEnvironment.repositoryRoot.appendingPathComponent(".build/debug/switchyard").path
        let broken = dir.appendingPathComponent("broken.yaml").path
        try "introspection: false\nlimits:\n  max_depth: -1\n".write(toFile: broken, atomically: true, encoding: .utf8)
        let refused = try await runProcess(binary, ["subgraph", "bench_accounts", "--listen", "127.0.0.1:0", "--config", broken])
        #expect(refused.status != 0, "\(refused.output)")
        #expect(refused.output.contains("max_depth"), "\(refused.output)")
        let missing = try await runProcess(binary, ["subgraph", "bench_accounts", "--listen", "127.0.0.1:0", "--config", dir.appendingPathComponent("none.yaml").path])
        #expect(missing.status != 0, "\(missing.output)")
        #expect(missing.output.contains("none.yaml"), "\(missing.output)")
    }
}
