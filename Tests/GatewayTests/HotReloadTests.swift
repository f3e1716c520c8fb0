import Foundation
import Gateway
import GraphQLCore
import Testing

@Suite("Hot reload")
struct HotReloadTests {
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
}
