import Foundation
import Gateway
import GraphQLCore
import Testing
import TestSupport

/// `@defer` through the gateway's HTTP endpoint over three real (graphql-core) subgraphs: an
/// incremental response for a client that takes one (multipart with the 2022-08-24 `deferSpec`,
/// or Server-Sent Events), the fragments inline for one that does not.
@Suite("@defer: incremental delivery")
struct DeferTests {
    static let scenario = "audit-defer-shared-root"

    func withGateway(_ body: (GatewayClient) async throws -> Void) async throws {
        let scenario = try FederationScenario(Self.scenario)
        try await withScenarioServer([Self.scenario]) { base in
            var config = GatewayConfiguration()
            config.subgraphs = scenario.subgraphs.map { s in
                SubgraphConfiguration(name: s, url: "\(base)/\(Self.scenario)/\(s)", schema: scenario.folder.appendingPathComponent("\(s).graphql").path)
            }
            try await withConfiguredGateway(config) { client, _ in try await body(client) }
        }
    }

    static let query = """
        query Deferred($later: Boolean! = true) {
          products {
            id
            name { brand }
            ... @defer(label: "price", if: $later) { price { amount currency } }
            category { ... on Category @defer { name } }
          }
        }
        """

    /// The JSON objects of a multipart body, in order.
    static func parts(_ body: String) -> [JSON] {
        body.components(separatedBy: "--graphql").compactMap { part in
            guard let start = part.range(of: "\r\n\r\n") else { return nil }
            return try? JSONReader.parse(Array(part[start.upperBound...].utf8))
        }
    }

    @Test func multipartClientsGetTheFirstPayloadWithoutTheDeferredFragmentsThenThem() async throws {
        try await withGateway { client in
            let r = try await client.post(#"{"query":\#(JSON.string(Self.query).text)}"#,
                                          accept: "multipart/mixed;deferSpec=20220824,application/json")
            #expect(r.status == 200)
            #expect(r.contentType == #"multipart/mixed; boundary="graphql"; deferSpec=20220824"#)
            #expect(r.text.hasSuffix("--graphql--\r\n") || r.text.hasSuffix("--graphql--"))
            let parts = Self.parts(r.text)
            try #require(parts.count == 2, "two payloads: \(r.text)")
            #expect(parts[0] == (try JSONReader.parse(Array(#"""
                {"data":{"products":[{"id":"1","name":{"brand":"Brand 1"},"category":{}}]},"hasNext":true}
                """#.utf8))))
            let later = parts[1]
            #expect(later["hasNext"] == .bool(false))
            let entries = later["incremental"]?.arrayValue ?? []
            #expect(entries.count == 2)
            let price = entries.first { $0["label"]?.stringValue == "price" }
            #expect(price?["path"] == (try JSONReader.parse(Array(#"["products",0]"#.utf8))))
            #expect(price?["data"] == (try JSONReader.parse(Array(#"{"price":{"amount":1000,"currency":"USD"}}"#.utf8))))
            let category = entries.first { $0["label"] == nil }
            #expect(category?["path"] == (try JSONReader.parse(Array(#"["products",0,"category"]"#.utf8))))
            #expect(category?["data"] == (try JSONReader.parse(Array(#"{"name":"Category 1"}"#.utf8))))
        }
    }

    @Test func serverSentEventsCarryEachPayloadAsANextEvent() async throws {
        try await withGateway { client in
            let r = try await client.post(#"{"query":\#(JSON.string(Self.query).text)}"#, accept: "text/event-stream")
            #expect(r.status == 200)
            let events = r.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
            #expect(events.count == 3, "next, next, complete: \(r.text)")
            #expect(events.first?.hasPrefix("event: next\ndata: {\"data\":") == true)
            #expect(events.first?.hasSuffix("\"hasNext\":true}") == true)
            #expect(events.dropFirst().first?.hasPrefix("event: next\ndata: {\"incremental\":") == true)
            #expect(events.last?.hasPrefix("event: complete") == true)
        }
    }

    @Test func aClientThatTakesOneResponseGetsTheFragmentsInline() async throws {
        try await withGateway { client in
            let r = try await client.post(#"{"query":\#(JSON.string(Self.query).text)}"#, accept: "application/json")
            #expect(r.status == 200)
            #expect(r.json == (try JSONReader.parse(Array(#"""
                {"data":{"products":[{"id":"1","name":{"brand":"Brand 1"},"price":{"amount":1000,"currency":"USD"},"category":{"name":"Category 1"}}]}}
                """#.utf8))))
        }
    }

    @Test func deferIfFalseIsAnsweredInTheFirstPayload() async throws {
        try await withGateway { client in
            let body = #"{"query":\#(JSON.string(Self.query).text),"variables":{"later":false}}"#
            let r = try await client.post(body, accept: "multipart/mixed;deferSpec=20220824,application/json")
            let parts = Self.parts(r.text)
            try #require(parts.count == 2, "\(r.text)")
            #expect(parts[0]["data"]?["products"]?[0]?["price"]?["amount"] == .int(1000))
            #expect(parts[0]["hasNext"] == .bool(true))
            #expect(parts[1]["incremental"]?.arrayValue?.count == 1, "only the category's fragment is deferred")
        }
    }
}
