import Foundation
import GraphQLCore
import OrderedCollections

public typealias OrderedDictionaryJSON = OrderedDictionary<String, JSON>

/// One folder of Tests/Fixtures/federation-scenarios/scenarios: subgraph SDL files and test cases.
public struct FederationScenario: Sendable {
    public struct Case: Sendable {
        public let name: String
        public let query: String
        public let variables: JSON?
        public let expectedData: JSON
        public let expectsErrors: Bool
        /// Errors that must be among the answer's, each `{"path": [...], "locations": [...]}` as
        /// the client sees it (`expected.errorsAt`).
        public let errorsAt: [JSON]
        /// How many errors the answer has, when given (`expected.errorCount`): one error for one
        /// field, however many fetches asked for it.
        public let errorCount: Int?
        public let requests: [String: Int]?
        /// Request headers (a bearer token, say).
        public let headers: [(String, String)]
        /// What a multipart (`deferSpec=20220824`) client gets, when given: `{"initial": data of the
        /// first payload, "subsequent": [{path, label?, data}] (in any grouping and order),
        /// "errors": whether any payload has errors, "initialErrors"?: whether the first has}`, or
        /// `{"single": true, "initial": data}` for one payload.
        public let incremental: JSON?
    }

    public static let root = TestEnvironment.repositoryRoot.appendingPathComponent("Tests/Fixtures/federation-scenarios")

    public let name: String
    public let folder: URL
    /// Subgraph names (the SDL files), sorted.
    public let subgraphs: [String]
    public let tests: [Case]
    /// The scenario's `gateway.yaml` (configuration beside the subgraphs, `{folder}` replaced
    /// with the scenario's folder), if it has one.
    public let gatewayYAML: String?

    public static func all() -> [String] {
        let dir = root.appendingPathComponent("scenarios")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter {
            FileManager.default.fileExists(atPath: dir.appendingPathComponent($0).appendingPathComponent("tests.json").path)
        }.sorted()
    }

    public init(_ name: String) throws {
        self.name = name
        folder = Self.root.appendingPathComponent("scenarios").appendingPathComponent(name)
        subgraphs = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".graphql") }.map { String($0.dropLast(".graphql".count)) }.sorted()
        let json = try JSONReader.parse(Array(try Data(contentsOf: folder.appendingPathComponent("tests.json"))))
        tests = (json.arrayValue ?? []).filter { $0["query"] != nil && $0["expected"] != nil }.map { t in
            var requests: [String: Int]?
            if let r = t["requests"]?.objectValue { requests = r.reduce(into: [:]) { $0[$1.key] = $1.value.intValue ?? 0 } }
            let headers = (t["headers"]?.objectValue ?? [:]).map { ($0.key, $0.value.stringValue ?? "") }
            return Case(name: t["name"]?.stringValue ?? "", query: t["query"]?.stringValue ?? "", variables: t["variables"],
                        expectedData: t["expected"]?["data"] ?? .null, expectsErrors: t["expected"]?["errors"]?.boolValue ?? false,
                        errorsAt: t["expected"]?["errorsAt"]?.arrayValue ?? [], errorCount: t["expected"]?["errorCount"]?.intValue,
                        requests: requests, headers: headers,
                        incremental: t["incremental"])
        }
        gatewayYAML = (try? String(contentsOf: folder.appendingPathComponent("gateway.yaml"), encoding: .utf8))?
            .replacingOccurrences(of: "{folder}", with: folder.path)
    }

    public func sdl(_ subgraph: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent("\(subgraph).graphql"), encoding: .utf8)
    }

    /// Objects with their keys sorted (the comparison is of values, as a client's deep equality).
    public static func normalized(_ json: JSON) -> JSON {
        switch json {
        case .object(let o):
            var out = OrderedDictionary<String, JSON>()
            for k in o.keys.sorted() { out[k] = normalized(o[k]!) }
            return .object(out)
        case .array(let a): return .array(a.map(normalized))
        case .double(let d) where d.rounded() == d && abs(d) < 9e15: return .int(Int(d))
        default: return json
        }
    }
}
