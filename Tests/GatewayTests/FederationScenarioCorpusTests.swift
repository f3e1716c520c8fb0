import Federation
import Foundation
import Gateway
import GraphQLCore
import Testing
import TestSupport

/// The federation scenarios (Tests/Fixtures/federation-scenarios): Federation v2 subgraphs written
/// with graphql-core, served on loopback, behind a real gateway over HTTP — each test's data,
/// errors and the requests each subgraph received.
@Suite("Federation scenarios end to end", .serialized)
struct FederationScenarioCorpusTests {
    @Test(arguments: FederationScenario.all())
    func scenarioAnswersAsSpecified(_ name: String) async throws {
        let scenario = try FederationScenario(name)
        try await withScenarioServer([name]) { base in
            var config = try scenario.gatewayYAML.map { try GatewayConfiguration.parse(yaml: $0) } ?? GatewayConfiguration()
            config.subgraphs = scenario.subgraphs.map { s in
                SubgraphConfiguration(name: s, url: "\(base)/\(name)/\(s)", schema: scenario.folder.appendingPathComponent("\(s).graphql").path)
            }
            try await withConfiguredGateway(config) { client, _ in
                let counter = GatewayClient(base: base)
                for test in scenario.tests {
                    _ = try await counter.send(.POST, "/reset", body: Array("{}".utf8))
                    // A scenario with state (mutations) starts each test afresh (a `reset` hook; none: 404).
                    _ = try await counter.send(.POST, "/\(name)/hook/reset", body: Array("{}".utf8))
                    var body: OrderedJSON = ["query": .string(test.query)]
                    if let v = test.variables { body["variables"] = v }
                    let r = try await client.post(JSON.object(body).text, accept: "application/json", headers: test.headers)
                    let got = try #require(r.json, "\(name) / \(test.name): \(r.text)")
                    #expect(FederationScenario.normalized(got["data"] ?? .null) == FederationScenario.normalized(test.expectedData),
                            "\(name) / \(test.name): data \(got["data"]?.text ?? "none")")
                    #expect((got["errors"]?.arrayValue?.isEmpty == false) == test.expectsErrors,
                            "\(name) / \(test.name): errors \(got["errors"]?.text ?? "none")")
                    if let count = test.errorCount {
                        #expect(got["errors"]?.arrayValue?.count ?? 0 == count, "\(name) / \(test.name): errors \(got["errors"]?.text ?? "none")")
                    }
                    for wanted in test.errorsAt {
                        let found = got["errors"]?.arrayValue?.contains { e in e["path"] == wanted["path"] && e["locations"] == wanted["locations"] } ?? false
                        #expect(found, "\(name) / \(test.name): no error at \(wanted.text) in \(got["errors"]?.text ?? "none")")
                    }
                    if let requests = test.requests {
                        let counts = try await counter.send(.GET, "/counts").json
                        for s in scenario.subgraphs {
                            let have = counts?["/\(name)/\(s)"]?.intValue ?? 0
                            #expect(have == (requests[s] ?? 0), "\(name) / \(test.name): \(s) received \(have) requests")
                        }
                    }
                    if let wanted = test.incremental {
                        _ = try await counter.send(.POST, "/\(name)/hook/reset", body: Array("{}".utf8))
                        let m = try await client.post(JSON.object(body).text, accept: "multipart/mixed;deferSpec=20220824,application/json", headers: test.headers)
                        Self.checkIncremental(m.contentType?.hasPrefix("multipart/") == true ? Self.parts(m.text) : [m.json ?? .null], wanted, "\(name) / \(test.name)")
                    }
                }
            }
        }
    }
}

extension FederationScenarioCorpusTests {
    static func parts(_ body: String) -> [JSON] {
        body.components(separatedBy: "--graphql").compactMap { part in
            guard let start = part.range(of: "\r\n\r\n") else { return nil }
            return try? JSONReader.parse(Array(part[start.upperBound...].utf8))
        }
    }

    /// The payloads a multipart client got against a test's `incremental` expectation.
    static func checkIncremental(_ payloads: [JSON], _ wanted: JSON, _ what: String) {
        let n = FederationScenario.normalized
        if wanted["single"]?.boolValue == true {
            #expect(payloads.count == 1 && payloads.first?["hasNext"]?.boolValue != true, "\(what): one payload, got \(payloads.map(\.text))")
            #expect(n(payloads.first?["data"] ?? .null) == n(wanted["initial"] ?? .null), "\(what): \(payloads.map(\.text))")
            #expect(!(payloads.first?["errors"]?.arrayValue?.isEmpty ?? true) == (wanted["errors"]?.boolValue ?? false), "\(what): errors \(payloads.map(\.text))")
            return
        }
        guard let first = payloads.first else { Issue.record("\(what): no payload"); return }
        #expect(n(first["data"] ?? .null) == n(wanted["initial"] ?? .null), "\(what): first payload \(first.text)")
        #expect(first["hasNext"] == .bool(true) && payloads.last?["hasNext"] == .bool(false), "\(what): hasNext \(payloads.map(\.text))")
        var entries: [String] = [], anyErrors = !(first["errors"]?.arrayValue?.isEmpty ?? true)
        for p in payloads.dropFirst() {
            for e in p["incremental"]?.arrayValue ?? [] {
                if !(e["errors"]?.arrayValue?.isEmpty ?? true) { anyErrors = true }
                var kept = OrderedDictionaryJSON()
                for k in ["data", "label", "path"] { if let v = e[k] { kept[k] = v } }
                entries.append(n(.object(kept)).text)
            }
        }
        let expected = (wanted["subsequent"]?.arrayValue ?? []).map { n($0).text }
        #expect(entries.sorted() == expected.sorted(), "\(what): deferred entries \(entries)")
        #expect(anyErrors == (wanted["errors"]?.boolValue ?? false), "\(what): errors \(payloads.map(\.text))")
        if let initialErrors = wanted["initialErrors"]?.boolValue {
            #expect(!(first["errors"]?.arrayValue?.isEmpty ?? true) == initialErrors, "\(what): first payload's errors \(first.text)")
        }
    }
}

typealias OrderedJSON = OrderedDictionaryJSON

/// Starts Tests/Fixtures/federation-scenarios/server.py (the kernel chooses the port; the script
/// prints it once bound) for the duration of `body`.
func withScenarioServer<T: Sendable>(_ scenarios: [String], _ body: (String) async throws -> T) async throws -> T {
    let child = try ChildProcess("/usr/bin/env", ["python3", FederationScenario.root.appendingPathComponent("server.py").path, "0"] + scenarios)
    defer { child.stop() }
    let port = try await child.firstLine { Int($0) }
    return try await body("http://127.0.0.1:\(port)")
}
