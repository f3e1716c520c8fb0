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
        // `allocator="jemalloc 5.3.0, arenas 1"`: a value of more than one word is quoted.
        let allocator: String = try await child.firstLine { line in
            guard let r = line.range(of: "allocator=\""), let end = line[r.upperBound...].firstIndex(of: "\"") else { return nil }
            return String(line[r.upperBound..<end])
        }
        #expect(allocator.hasPrefix("jemalloc 5."), "\(allocator)")
        // One arena for the process (allocator.c's malloc_conf), unless MALLOC_CONF says otherwise.
        if env["MALLOC_CONF"] == nil {
            #expect(allocator.hasSuffix(", arenas 1") || allocator.contains(", arenas 1 "), "\(allocator)")
        }
    }
}
