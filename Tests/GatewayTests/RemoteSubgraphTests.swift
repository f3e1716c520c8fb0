import BenchSubgraphs
import Federation
import Foundation
import Gateway
import GraphQLCore
import Testing
import TestSupport

/// Starts the Python (graphql-core) subgraph on a port the kernel chooses (it prints the port
/// once bound, so no other server can take it in between) for the duration of `body`.
func withPythonSubgraph<T: Sendable>(requiring header: String? = nil, _ body: (String) async throws -> T) async throws -> T {
    let script = TestEnvironment.repositoryRoot.appendingPathComponent("Tests/Fixtures/python-subgraph/notes_subgraph.py").path
    let child = try ChildProcess("/usr/bin/env", ["python3", script, "0"] + (header.map { [$0] } ?? []))
    defer { child.stop() }
    let port = try await child.firstLine { Int($0) }   // the first line is the port
    return try await body("http://127.0.0.1:\(port)/graphql")
}

@Suite("Remote subgraphs")
struct RemoteSubgraphTests {
    @Test func pythonGraphQLCoreSubgraphJoinsAnInPackageEntity() async throws {
        try await withPythonSubgraph { url in
            var config = GatewayConfiguration()
            config.subgraphs = [
                SubgraphConfiguration(name: "accounts", module: "bench_accounts"),
                SubgraphConfiguration(name: "notes", url: url), // SDL from { _service { sdl } }
            ]
            try await withConfiguredGateway(config) { client, _ in
                let r = try await client.query("{ users { id name notes } noteCount }")
                #expect(r.status == 200)
                #expect(r.json?["errors"] == nil, "\(r.text)")
                #expect(r.json?["data"]?["users"]?[1]?.text == #"{"id":"2","name":"Dotan Simha","notes":["reviews couches","prefers glass"]}"#)
                #expect(r.json?["data"]?["users"]?.arrayValue?.count == 6)
                #expect(r.json?["data"]?["noteCount"] == 3)
                // All six users' notes came in one _entities request.
                let counter = try await GatewayClient(base: String(url.dropLast("/graphql".count))).send(.GET, "/")
                #expect(counter.json?["entities"] == 1)
            }
        }
    }

    /// A subgraph behind a service token (`headers.insert`): the token goes with the schema's
    /// fetch at start and the readiness probe too, not only with queries.
    @Test func insertedHeadersGoWithTheSchemaFetchAndTheReadinessProbe() async throws {
        try await withPythonSubgraph(requiring: "x-service-token=s3cret") { url in
            var config = GatewayConfiguration()
            config.subgraphs = [SubgraphConfiguration(name: "accounts", module: "bench_accounts"), SubgraphConfiguration(name: "notes", url: url)]
            config.headers.subgraphs["notes"] = HeaderRules.Rule(insert: ["x-service-token": "s3cret"])
            try await withConfiguredGateway(config) { client, _ in
                let answer = try await client.query("{ noteCount }")
                #expect(answer.text == #"{"data":{"noteCount":3}}"#)
                // Ready once its probe (1 s to answer, with the token) gets through: a loaded
                // machine may need more than one.
                let ready = try await client.readyStatus()
                #expect(ready == 200)
            }
            // Without it, the start-up names what the subgraph said.
            config.headers.subgraphs = [:]
            do {
                try await withConfiguredGateway(config) { _, _ in }
                Issue.record("a gateway started without the subgraph's schema")
            } catch {
                #expect("\(error)".contains("missing service token"), "\(error)")
            }
        }
    }

    @Test func aSubgraphThatIsDownGivesPartialDataAndANamedError() async throws {
        let supergraph = try Supergraph(sdl: try benchFile("supergraph.graphql"))
        var transports: [String: any SubgraphTransport] = [:]
        for (name, s) in try BenchSubgraphs.all() where name != "inventory" {
            transports[name] = InProcessTransport(subgraph: s) { _ in BenchSubgraphs.Context() }
        }
        // A refused connection fails at once: neither the subgraph's long timeout nor the request's
        // shorter one is waited for (connections used to be retried until one of them passed).
        // (A port held bound and not listening: one merely free could be taken by a test running beside.)
        let down = closedPort()
        defer { close(down.socket) }
        transports["inventory"] = HTTPTransport(name: "inventory", url: "http://127.0.0.1:\(down.port)/graphql", timeoutMs: 60_000)
        let config = try GatewayConfiguration.parse(yaml: "limits: { request_timeout_ms: 20000 }")
        try await withGateway(config, executor: FederatedExecutor(supergraph: supergraph, transports: transports)) { client in
            let r = try await client.query("{ topProducts { name inStock } }")
            #expect(r.status == 200)
            #expect(r.json?["data"]?["topProducts"]?[0]?.text == #"{"name":"Table","inStock":null}"#)
            let error = try #require(r.json?["errors"]?[0])
            #expect(error["extensions"]?["serviceName"] == "inventory")
            #expect(error["extensions"]?["code"] == "SUBREQUEST_HTTP_ERROR")
            #expect(error["path"]?.arrayValue?.first == "topProducts")
            // The gateway keeps serving what does not need the broken subgraph.
            let ok = try await client.query("{ topProducts { name } }")
            #expect(ok.json?["errors"] == nil)
        }
    }

    @Test func subgraphErrorsCarryTheirPathInTheClientResponse() async throws {
        let supergraph = try Supergraph(sdl: try benchFile("supergraph.graphql"))
        var transports = try benchInProcessTransports()
        transports["inventory"] = Failing()
        try await withGateway(executor: FederatedExecutor(supergraph: supergraph, transports: transports)) { client in
            let r = try await client.query("{ topProducts(first: 2) { upc inStock } }")
            let errors = try #require(r.json?["errors"]?.arrayValue)
            #expect(errors.map { $0["path"] } == [["topProducts", 0, "inStock"], ["topProducts", 1, "inStock"]])
            #expect(errors.first?["message"] == "inventory is out of order")
            #expect(r.json?["data"]?["topProducts"]?[1]?.text == #"{"upc":"2","inStock":null}"#)
        }
    }

    /// Entity fetches that send the same operation to the same subgraph and are ready together
    /// go as one request, their representations deduplicated across their paths; each answer
    /// reaches every object it is for, and so does an error at an entity.
    @Test func entityFetchesReadyTogetherGoAsOneRequest() async throws {
        let supergraph = try Supergraph(sdl: try benchFile("supergraph.graphql"))
        var transports = try benchInProcessTransports()
        let query = "{ a: topProducts(first: 1) { upc inStock } b: topProducts(first: 3) { upc inStock } }"
        let counting = CountingTransports(transports)
        let executor = FederatedExecutor(supergraph: supergraph, transports: counting.wrapped)
        // Two flattens to inventory in the plan (a.@ and b.@), one request when run.
        let plan = try executor.plan(ExecutionRequest(document: try Parser.parse(query)))
        #expect(plan.text.components(separatedBy: "Fetch(service: \"inventory\")").count - 1 == 2, "\(plan.text)")
        try await withGateway(executor: executor) { client in
            let r = try await client.query(query)
            #expect(r.json?["errors"] == nil, "\(r.text)")
            #expect(r.json?["data"]?.text == #"{"a":[{"upc":"1","inStock":true}],"b":[{"upc":"1","inStock":true},{"upc":"2","inStock":false},{"upc":"3","inStock":false}]}"#)
            #expect(counting.counts["inventory"] == 1, "\(counting.counts)")
        }
        let sent = Sent()
        transports["inventory"] = Failing(sent: sent)
        try await withGateway(executor: FederatedExecutor(supergraph: supergraph, transports: transports)) { client in
            let r = try await client.query(query)
            #expect(sent.representations == [3], "product 1 is at a.0 and b.0, sent once")
            let errors = try #require(r.json?["errors"]?.arrayValue)
            #expect(errors.map { $0["path"] } == [["a", 0, "inStock"], ["b", 0, "inStock"], ["b", 1, "inStock"], ["b", 2, "inStock"]], "\(r.text)")
            #expect(r.json?["data"]?["b"]?[0]?.text == #"{"upc":"1","inStock":null}"#)
        }
        // The shared request failing whole is an error at each object it was for (each position it
        // leaves null has its error, as Apollo's router reports it).
        // A refused connection fails at once: neither the subgraph's long timeout nor the request's
        // shorter one is waited for (connections used to be retried until one of them passed).
        // (A port held bound and not listening: one merely free could be taken by a test running beside.)
        let down = closedPort()
        defer { close(down.socket) }
        transports["inventory"] = HTTPTransport(name: "inventory", url: "http://127.0.0.1:\(down.port)/graphql", timeoutMs: 60_000)
        let config = try GatewayConfiguration.parse(yaml: "limits: { request_timeout_ms: 20000 }")
        try await withGateway(config, executor: FederatedExecutor(supergraph: supergraph, transports: transports)) { client in
            let r = try await client.query(query)
            let errors = try #require(r.json?["errors"]?.arrayValue)
            #expect(errors.map { $0["path"] } == [["a", 0], ["b", 0], ["b", 1], ["b", 2]], "\(r.text)")
            #expect(errors.allSatisfy { $0["extensions"]?["code"] == "SUBREQUEST_HTTP_ERROR" })
        }
    }

    /// A plan of more than 64 steps (70 aliases of one field, each with an entity fetch after
    /// the root fetch) runs every step once, in order, and its same fetches as one request.
    @Test func aPlanOfManyStepsRunsEachOnce() async throws {
        let supergraph = try Supergraph(sdl: try benchFile("supergraph.graphql"))
        var transports = try benchInProcessTransports()
        let counting = CountingTransports(transports)
        let executor = FederatedExecutor(supergraph: supergraph, transports: counting.wrapped)
        let query = "{ " + (0..<70).map { "p\($0): topProducts(first: \($0 % 3 + 1)) { upc inStock }" }.joined(separator: " ") + " }"
        let plan = try executor.plan(ExecutionRequest(document: try Parser.parse(query)))
        #expect(plan.fetchCount == 71, "\(plan.fetchCount)")
        var config = GatewayConfiguration()
        config.limits.maxAliases = nil
        config.limits.maxCost = nil
        config.limits.maxRootFields = nil
        try await withGateway(config, executor: executor) { client in
            let r = try await client.query(query)
            #expect(r.json?["errors"] == nil, "\(r.text.prefix(300))")
            #expect(r.json?["data"]?["p69"]?.text == #"[{"upc":"1","inStock":true}]"#)
            #expect(r.json?["data"]?["p68"]?.text == #"[{"upc":"1","inStock":true},{"upc":"2","inStock":false},{"upc":"3","inStock":false}]"#)
            #expect(counting.counts == ["products": 1, "inventory": 1], "\(counting.counts)")
        }
        // One entity for 120 objects, its field failing: the error is repeated for 100 of them.
        transports["inventory"] = Failing()
        let shared = "{ " + (0..<120).map { "p\($0): topProducts(first: 1) { upc inStock }" }.joined(separator: " ") + " }"
        try await withGateway(config, executor: FederatedExecutor(supergraph: supergraph, transports: transports)) { client in
            let r = try await client.query(shared)
            let errors = try #require(r.json?["errors"]?.arrayValue)
            #expect(errors.count == 100, "\(errors.count)")
            #expect(errors.first?["path"] == ["p0", 0, "inStock"])
            #expect(r.json?["data"]?["p119"]?.text == #"[{"upc":"1","inStock":null}]"#)
        }
    }

    @Test func valuesTheGatewayRejectsAreErrorsAtTheirOwnPaths() async throws {
        let supergraph = try Supergraph(sdl: try benchFile("supergraph.graphql"))
        var transports = try benchInProcessTransports()
        // A products subgraph whose answer breaks the schema in three places.
        transports["products"] = Answering(#"{"data":{"topProducts":[{"upc":"1","name":"A","price":"cheap"},{"upc":null,"name":"B","price":1},{"upc":"3","name":"C","price":2}]}}"#)
        try await withGateway(executor: FederatedExecutor(supergraph: supergraph, transports: transports)) { client in
            let r = try await client.query("{ topProducts { upc name price } }")
            let errors = try #require(r.json?["errors"]?.arrayValue)
            #expect(errors.map { $0["path"] } == [["topProducts", 0, "price"], ["topProducts", 1, "upc"]], "\(r.text)")
            #expect(errors.map { $0["message"]?.stringValue ?? "" } == ["Int cannot represent value: \"cheap\"",
                                                                       "Cannot return null for non-nullable field Product.upc."])
            // The nullable price is null; the item whose non-null upc is null is null as a whole.
            #expect(r.json?["data"]?.text == #"{"topProducts":[{"upc":"1","name":"A","price":null},null,{"upc":"3","name":"C","price":2}]}"#)
        }
    }

    /// A subgraph that answers every request with the same body.
    struct Answering: SubgraphTransport {
        let body: String
        init(_ body: String) { self.body = body }
        func fetch(_ request: SubgraphRequest) async throws -> SubgraphResponse {
            try #require(SubgraphResponse.parse(Array(body.utf8)))
        }
    }

    /// Representations per request, as a subgraph received them.
    final class Sent: @unchecked Sendable {
        private let lock = NSLock()
        private var counts: [Int] = []
        var representations: [Int] { lock.withLock { counts } }
        func add(_ n: Int) { lock.withLock { counts.append(n) } }
    }

    /// A subgraph answering field errors at _entities paths.
    /// A subgraph whose `_entities` cannot be matched to the representations sent (missing, not a
    /// list, too short, too long) is an error at the objects, named for the subgraph — not a
    /// silent null; an `_entities` of the right length is merged as before.
    @Test func entitiesThatDoNotMatchTheRepresentationsAreAnError() async throws {
        let supergraph = try Supergraph(sdl: try benchFile("supergraph.graphql"))
        var transports = try benchInProcessTransports()
        let answers: [(String, String?)] = [
            (#"{"data":{}}"#, "no _entities list"), (#"{"data":{"_entities":null}}"#, "no _entities list"),
            (#"{"data":{"_entities":{"inStock":true}}}"#, "no _entities list"), (#"{"data":null}"#, "no data"),
            (#"{"data":{"_entities":[{"inStock":true}]}}"#, "_entities with 1 entries"),
            (#"{"data":{"_entities":[{"inStock":true},{"inStock":true},{"inStock":true}]}}"#, "_entities with 3 entries"),
            (#"{"data":{"_entities":[{"inStock":true},{"inStock":false}]}}"#, nil),
        ]
        for (answer, problem) in answers {
            transports["inventory"] = EntitiesAnswer(body: answer)
            try await withGateway(executor: FederatedExecutor(supergraph: supergraph, transports: transports)) { client in
                let r = try await client.query("{ topProducts(first: 2) { upc inStock } }")
                if let problem {
                    let error = try #require(r.json?["errors"]?[0], "\(answer): \(r.text)")
                    #expect(error["message"] == .string("Subgraph \"inventory\" answered \(problem) for 2 representations."), "\(answer)")
                    #expect(error["extensions"]?["code"] == "SUBREQUEST_MALFORMED_RESPONSE")
                    #expect(error["path"] == ["topProducts", 0], "\(answer)")
                    #expect(r.json?["data"]?["topProducts"]?.text == #"[{"upc":"1","inStock":null},{"upc":"2","inStock":null}]"#, "\(answer)")
                } else {
                    #expect(r.json?["errors"] == nil, "\(r.text)")
                    #expect(r.json?["data"]?["topProducts"]?.text == #"[{"upc":"1","inStock":true},{"upc":"2","inStock":false}]"#)
                }
            }
        }
    }

    /// A subgraph's errors are reported up to 1,000 (errors at entities repeat for each object
    /// they were for), then one error says how many more were left out.
    @Test func errorsAreReportedUpToAThousand() async throws {
        let supergraph = try Supergraph(sdl: try benchFile("supergraph.graphql"))
        var transports = try benchInProcessTransports()
        transports["inventory"] = Flooding()
        try await withGateway(executor: FederatedExecutor(supergraph: supergraph, transports: transports)) { client in
            let r = try await client.query("{ topProducts(first: 5) { upc inStock } }")
            let errors = try #require(r.json?["errors"]?.arrayValue)
            #expect(errors.count == 1_001)
            #expect(errors.last?["extensions"]?["code"] == "TOO_MANY_ERRORS")
            #expect(errors.last?["message"]?.stringValue?.hasPrefix("At least 500 more errors") == true, "\(String(describing: errors.last))")
            #expect(r.json?["data"]?["topProducts"]?.arrayValue?.count == 5)
        }
    }

    /// An object where the schema has a list is a field error (result coercion), not a list of one.
    @Test func anObjectForAListIsAFieldError() async throws {
        let supergraph = try Supergraph(sdl: try benchFile("supergraph.graphql"))
        var transports = try benchInProcessTransports()
        transports["products"] = EntitiesAnswer(body: #"{"data":{"topProducts":{"upc":"1","name":"Table"}}}"#)
        try await withGateway(executor: FederatedExecutor(supergraph: supergraph, transports: transports)) { client in
            let r = try await client.query("{ topProducts { upc name } }")
            #expect(r.json?["data"]?.text == #"{"topProducts":null}"#, "\(r.text)")
            #expect(r.json?["errors"]?[0]?["message"] == #"Expected Iterable, but did not find one for field "Query.topProducts"."#)
            #expect(r.json?["errors"]?[0]?["path"] == ["topProducts"])
        }
    }

    /// A subgraph's leaf values are coerced as graphql-js coerces a resolver's: a whole float is an
    /// `ID`'s integer text, a number a `Boolean`, a numeric string an `Int` or `Float` read as
    /// JavaScript's `Number` reads it (white space around it, exponents) — but not as Swift's
    /// `Double` would (a hexadecimal float is an error).
    @Test func leafValuesAreCoercedAsGraphQLJSCoercesThem() async throws {
        let link = #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])"#
        let sdl = try Composer.compose([try SubgraphSchema(name: "a", url: "http://a", sdl: link + """

            type Query { id1: ID id2: ID id3: ID b1: Boolean b2: Boolean i1: Int i2: Int i3: Int f1: Float f2: Float f3: Float f4: Float }
            """)])
        let body = #"{"data":{"id1":5.0,"id2":1e2,"id3":1.5,"b1":1.5,"b2":0.0,"i1":" 5","i2":"1e3","i3":"5.5","#
            + #""f1":" 1.5 ","f2":"-2e-1","f3":"0x1p3","f4":"Infinity"}}"#
        try await withGateway(executor: FederatedExecutor(supergraph: try Supergraph(sdl: sdl), transports: ["a": EntitiesAnswer(body: body)])) { client in
            let r = try await client.query("{ id1 id2 id3 b1 b2 i1 i2 i3 f1 f2 f3 f4 }")
            #expect(r.json?["data"]?.text == #"{"id1":"5","id2":"100","id3":null,"b1":true,"b2":false,"i1":5,"i2":1000,"i3":null,"#
                    + #""f1":1.5,"f2":-0.2,"f3":null,"f4":null}"#, "\(r.text)")
            let paths = (r.json?["errors"]?.arrayValue ?? []).compactMap { $0["path"]?[0]?.stringValue }
            #expect(paths == ["id3", "i3", "f3", "f4"], "\(r.text)")
        }
        // A number for a `String` is written as JavaScript writes it; one beyond a double's range
        // is an error that shows it as graphql-js does.
        let strings = try Composer.compose([try SubgraphSchema(name: "a", url: "http://a", sdl: link + """

            type Query { s1: String s2: String s3: String s4: String s5: String s6: String s7: String s8: String i: Int }
            """)])
        let numbers = #"{"data":{"s1":1.0,"s2":1e2,"s3":-0.0,"s4":1.5e-7,"s5":1e21,"s6":123456789012345680000,"s7":0.000001,"s8":1e999,"i":-1e400}}"#
        try await withGateway(executor: FederatedExecutor(supergraph: try Supergraph(sdl: strings), transports: ["a": EntitiesAnswer(body: numbers)])) { client in
            let r = try await client.query("{ s1 s2 s3 s4 s5 s6 s7 s8 i }")
            #expect(r.json?["data"]?.text == #"{"s1":"1","s2":"100","s3":"0","s4":"1.5e-7","s5":"1e+21","s6":"123456789012345680000","s7":"0.000001","s8":null,"i":null}"#,
                    "\(r.text)")
            let messages = (r.json?["errors"]?.arrayValue ?? []).compactMap { $0["message"]?.stringValue }
            #expect(messages == ["String cannot represent value: Infinity", "Int cannot represent value: -Infinity"], "\(r.text)")
        }
    }

    /// A root fetch answered with a null `data` and no errors is an error at each root field it
    /// was for (it had no path), as any other root fetch that fails whole.
    @Test func aRootAnswerWithoutDataOrErrorsIsAnErrorAtItsFields() async throws {
        let link = #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])"#
        let sdl = try Composer.compose([try SubgraphSchema(name: "a", url: "http://a", sdl: link + "\ntype Query { x: String y: Int }\n")])
        for body in [#"{"data":null}"#, #"{"data":null,"errors":[]}"#] {
            try await withGateway(executor: FederatedExecutor(supergraph: try Supergraph(sdl: sdl), transports: ["a": EntitiesAnswer(body: body)])) { client in
                let r = try await client.query("{ x other: y }")
                #expect(r.json?["data"]?.text == #"{"x":null,"other":null}"#, "\(r.text)")
                let errors = r.json?["errors"]?.arrayValue ?? []
                #expect(errors.map { $0["path"]?.text ?? "" } == [#"["x"]"#, #"["other"]"#], "\(r.text)")
                #expect(errors.allSatisfy { $0["extensions"]?["code"] == "SUBREQUEST_MALFORMED_RESPONSE" }, "\(r.text)")
            }
        }
    }

    /// An abstract field answered with a type no subgraph has is a field error that names it; a
    /// type `@inaccessible` hides is answered null without one.
    @Test func anUnknownTypenameIsAFieldErrorThatNamesIt() async throws {
        let link = #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@inaccessible"])"#
        let sdl = try Composer.compose([try SubgraphSchema(name: "a", url: "http://a", sdl: link + """

            type Query { node: Node nodes: [Node] }
            interface Node { id: ID! }
            type Thing implements Node { id: ID! }
            type Secret implements Node @inaccessible { id: ID! }
            """)])
        let supergraph = try Supergraph(sdl: sdl)
        let body = #"{"data":{"node":{"__typename":"Ghost","id":"1"},"nodes":[{"__typename":"Secret","id":"2"},{"__typename":"Thing","id":"3"}]}}"#
        try await withGateway(executor: FederatedExecutor(supergraph: supergraph, transports: ["a": EntitiesAnswer(body: body)])) { client in
            let r = try await client.query("{ node { id } nodes { id } }")
            #expect(r.json?["data"]?.text == #"{"node":null,"nodes":[null,{"id":"3"}]}"#, "\(r.text)")
            let errors = try #require(r.json?["errors"]?.arrayValue)
            #expect(errors.count == 1, "\(r.text)")
            #expect(errors.first?["message"]?.stringValue?.contains(#""Ghost""#) == true)
            #expect(errors.first?["path"] == ["node"])
        }
    }

    /// 300 errors at each entity asked for.
    struct Flooding: SubgraphTransport {
        func fetch(_ request: SubgraphRequest) async throws -> SubgraphResponse {
            let n = try request.allVariables()["representations"]?.arrayValue?.count ?? 0
            let errors: [JSON] = (0..<n).flatMap { i in (0..<300).map { k in
                ["message": .string("broken \(k)"), "path": ["_entities", .int(i), "inStock"]] as JSON } }
            let answer: JSON = ["data": ["_entities": .array((0..<n).map { _ in ["inStock": .null] })], "errors": .array(errors)]
            return try #require(SubgraphResponse.parse(answer.bytes))
        }
    }

    /// A subgraph answering from a script: the answer's text for each query it receives (all
    /// of which it records).
    final class Scripted: SubgraphTransport, @unchecked Sendable {
        let answer: @Sendable (String) -> String
        private let lock = NSLock()
        private var received: [String] = []
        private var representations: [String] = []
        var queries: [String] { lock.withLock { received } }
        /// The `representations` of each entity request, as sent.
        var bodies: [String] { lock.withLock { representations } }
        init(_ answer: @escaping @Sendable (String) -> String) { self.answer = answer }
        func fetch(_ request: SubgraphRequest) async throws -> SubgraphResponse {
            lock.withLock {
                received.append(request.query)
                if let r = request.representations { representations.append(String(decoding: r, as: UTF8.self)) }
            }
            return try #require(SubgraphResponse.parse(Array(answer(request.query).utf8)))
        }
    }

    /// Subgraphs that break the rules in the ways a gateway must not pass on (each found by a
    /// probe of the running gateway): an interface answered with an object type that does not
    /// implement it, errors at fields the plan aliased, a mutation's later field after `data` is
    /// null, a root answer with neither data nor errors, a `code` that is not a string, an
    /// `_entities` entry that is not an object.
    @Test func misbehavingSubgraphAnswersAreErrorsAtTheClientsPaths() async throws {
        let link = #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@shareable"])"#
        // Book.code is `Int!` in products and `Int` in the supergraph (reviews has it nullable):
        // beside Movie.code the plan asks it under an alias of its own.
        let products = link + """

            type Query { products: [Product] node: Node search: [Media] count: Int }
            type Mutation { first: Int! }
            interface Node { id: ID! }
            type Product @key(fields: "id") { id: ID! name: String }
            type Book implements Node @shareable { id: ID! code: Int! }
            type Movie implements Node { id: ID! code: Int }
            union Media = Book | Movie
            """
        let reviews = link + """

            type Query { top: Int }
            type Mutation { second: Int }
            type Book @shareable { id: ID! code: Int }
            type Product @key(fields: "id") { id: ID! rating: Int }
            """
        let supergraph = try Supergraph(sdl: try Composer.compose([try SubgraphSchema(name: "products", url: "http://p", sdl: products),
                                                                   try SubgraphSchema(name: "reviews", url: "http://r", sdl: reviews)]))
        func run(_ query: String, products: @escaping @Sendable (String) -> String, reviews: @escaping @Sendable (String) -> String = { _ in "{}" },
                 _ check: (JSON, Scripted) throws -> Void) async throws {
            let p = Scripted(products), r = Scripted(reviews)
            try await withGateway(executor: FederatedExecutor(supergraph: supergraph, transports: ["products": p, "reviews": r])) { client in
                let response = try await client.query(query)
                try check(try #require(response.json, "\(response.text)"), r)
            }
        }
        // A type that is not one of the interface's is a field error, never `"__typename":"Node"`.
        try await run("{ node { __typename id } }", products: { _ in #"{"data":{"node":{"__typename":"Product","id":"1"}}}"# }) { j, _ in
            #expect(j["data"]?.text == #"{"node":null}"#)
            #expect(j["errors"]?[0]?["message"] == "Runtime Object type \"Product\" is not a possible type for \"Node\".")
        }
        // An error at a field the plan asked under an alias of its own is at the client's key.
        try await run("{ search { ... on Book { code } ... on Movie { code } } }", products: { q in
            q.contains("code__sy0:code")
                ? #"{"data":{"search":[{"__typename":"Book","code":1},{"__typename":"Movie","code__sy0":null}]},"errors":[{"message":"no code","path":["search",1,"code__sy0"]}]}"#
                : #"{"data":null,"errors":[{"message":"unexpected query"}]}"#
        }) { j, _ in
            #expect(j["data"]?.text == #"{"search":[{"code":1},{"code":null}]}"#)
            #expect(j["errors"]?[0]?["path"] == ["search", 1, "code"])
            // (Located at the first `code` of that response key: the locator does not tell the
            // fragments apart by the object's type.)
            #expect(j["errors"]?[0]?["locations"]?.arrayValue?.isEmpty == false)
        }
        // An error at a key the planner asked for itself is at the deepest path the client has.
        try await run("{ products { id: name rating } }", products: { q in
            let alias = q.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).first { $0.hasPrefix("_id_") }.map(String.init) ?? "?"
            return #"{"data":{"products":[{"id":"one","__typename":"Product","\#(alias)":"1"},{"id":"two","__typename":"Product","\#(alias)":null}]},"errors":[{"message":"no id","path":["products",1,"\#(alias)"]}]}"#
        }, reviews: { _ in #"{"data":{"_entities":[{"rating":5}]}}"# }) { j, _ in
            #expect(j["errors"]?[0]?["path"] == ["products", 1], "\(j.text)")
        }
        // A mutation whose data is null already does not run its later fields.
        try await run("mutation { first second }", products: { _ in #"{"data":null,"errors":[{"message":"first failed","path":["first"]}]}"# },
                      reviews: { _ in #"{"data":{"second":2}}"# }) { j, reviews in
            #expect(j["data"] == .null)
            #expect(reviews.queries.isEmpty, "\(reviews.queries)")
        }
        // Neither data nor errors: a malformed answer, not silent nulls.
        try await run("{ count }", products: { _ in #"{"data":null}"# }) { j, _ in
            #expect(j["errors"]?[0]?["extensions"]?["code"] == "SUBREQUEST_MALFORMED_RESPONSE")
        }
        // A code that is not a string does not pass (it could carry anything).
        try await run("{ count }", products: { _ in #"{"data":{"count":null},"errors":[{"message":"x","path":["count"],"extensions":{"code":{"db":"10.0.0.5"}}}]}"# }) { j, _ in
            #expect(j["errors"]?[0]?["extensions"]?["code"] == "DOWNSTREAM_SERVICE_ERROR")
            #expect(!j.text.contains("10.0.0.5"))
        }
        // An `_entities` entry that is not an object is an error at its object.
        try await run("{ products { id rating } }", products: { _ in #"{"data":{"products":[{"id":"1","__typename":"Product"},{"id":"2","__typename":"Product"}]}}"# },
                      reviews: { _ in #"{"data":{"_entities":[{"rating":1},42]}}"# }) { j, _ in
            #expect(j["data"]?.text == #"{"products":[{"id":"1","rating":1},{"id":"2","rating":null}]}"#)
            #expect(j["errors"]?[0]?["path"] == ["products", 1])
            #expect(j["errors"]?[0]?["extensions"]?["code"] == "SUBREQUEST_MALFORMED_RESPONSE")
        }
        // No `_entities` at all, and an error naming one entity: the other gets an error too.
        try await run("{ products { id rating } }", products: { _ in #"{"data":{"products":[{"id":"1","__typename":"Product"},{"id":"2","__typename":"Product"}]}}"# },
                      reviews: { _ in #"{"data":null,"errors":[{"message":"no rating","path":["_entities",1,"rating"]}]}"# }) { j, _ in
            #expect(j["data"]?.text == #"{"products":[{"id":"1","rating":null},{"id":"2","rating":null}]}"#, "\(j.text)")
            let paths = Set((j["errors"]?.arrayValue ?? []).compactMap { $0["path"]?.text })
            #expect(paths == [#"["products",0]"#, #"["products",1,"rating"]"#], "\(j.text)")
        }
    }

    /// An object whose `@requires` input could not be had (the fetch that gives it failed, or did
    /// not know the entity) is sent with that input null when the input is nullable, as Apollo's
    /// router does (the entity still gets the other fields of the fetch); a non-null input missing
    /// keeps it out: its field is null with the failed fetch's error.
    @Test func representationsMissingARequiredInputAreSentWithNullOrNotAtAll() async throws {
        let link = #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@external", "@requires"])"#
        func supergraph(_ price: String) throws -> Supergraph {
            try Supergraph(sdl: try Composer.compose([
                try SubgraphSchema(name: "catalog", url: "http://c", sdl: link + "\ntype Query { products: [Product] } type Product @key(fields: \"id\") { id: ID! }"),
                try SubgraphSchema(name: "pricing", url: "http://p", sdl: link + "\ntype Product @key(fields: \"id\") { id: ID! price: \(price) }"),
                try SubgraphSchema(name: "shipping", url: "http://s", sdl: link + "\ntype Product @key(fields: \"id\") { id: ID! price: \(price) @external shipping: Int @requires(fields: \"price\") label: String }"),
            ]))
        }
        let catalog = Scripted { _ in #"{"data":{"products":[{"__typename":"Product","id":"1"},{"__typename":"Product","id":"2"}]}}"# }
        let pricing = Scripted { _ in #"{"data":{"_entities":[{"price":10},null]},"errors":[{"message":"no price for 2","path":["_entities",1,"price"]}]}"# }
        // Nullable: product 2 goes with `price: null`.
        let shipping = Scripted { _ in #"{"data":{"_entities":[{"shipping":3},{"shipping":null}]}}"# }
        try await withGateway(executor: FederatedExecutor(supergraph: try supergraph("Int"), transports: ["catalog": catalog, "pricing": pricing, "shipping": shipping])) { client in
            let r = try await client.query("{ products { id shipping } }")
            #expect(r.json?["data"]?.text == #"{"products":[{"id":"1","shipping":3},{"id":"2","shipping":null}]}"#, "\(r.text)")
            #expect(shipping.queries.count == 1)
            #expect(shipping.bodies.first?.contains(#"{"__typename":"Product","id":"2","price":null}"#) == true, "\(shipping.bodies)")
        }
        // Non-null: only product 1's representation goes.
        let one = Scripted { _ in #"{"data":{"_entities":[{"shipping":3}]}}"# }
        try await withGateway(executor: FederatedExecutor(supergraph: try supergraph("Int!"), transports: ["catalog": catalog, "pricing": pricing, "shipping": one])) { client in
            let r = try await client.query("{ products { id shipping } }")
            #expect(r.json?["data"]?.text == #"{"products":[{"id":"1","shipping":3},{"id":"2","shipping":null}]}"#, "\(r.text)")
            #expect(one.bodies.count == 1)
            #expect(one.bodies.first?.contains(#""id":"2""#) == false, "\(one.bodies)")
        }
        // Non-null, beside a field that needs no input: product 2 still gets that field, by its key
        // alone, from the fetch without `shipping` (it was left out of the whole fetch).
        let labels = Scripted { body in
            body.contains("shipping") ? #"{"data":{"_entities":[{"shipping":3,"label":"one"}]}}"# : #"{"data":{"_entities":[{"label":"two"}]}}"#
        }
        try await withGateway(executor: FederatedExecutor(supergraph: try supergraph("Int!"), transports: ["catalog": catalog, "pricing": pricing, "shipping": labels])) { client in
            let r = try await client.query("{ products { id label shipping } }")
            #expect(r.json?["data"]?.text == #"{"products":[{"id":"1","label":"one","shipping":3},{"id":"2","label":"two","shipping":null}]}"#, "\(r.text)")
            #expect(labels.bodies.count == 2, "\(labels.bodies)")
            #expect(labels.bodies.contains(#"[{"__typename":"Product","id":"2"}]"#), "\(labels.bodies)")
            #expect(labels.queries.filter { !$0.contains("shipping") }.count == 1, "\(labels.queries)")
        }
        // Every price missing (pricing down), non-null: shipping is not asked at all.
        let down = Scripted { _ in #"{"data":null,"errors":[{"message":"pricing is down"}]}"# }
        let quiet = Scripted { _ in #"{"data":{"_entities":[]}}"# }
        try await withGateway(executor: FederatedExecutor(supergraph: try supergraph("Int!"), transports: ["catalog": catalog, "pricing": down, "shipping": quiet])) { client in
            let r = try await client.query("{ products { id shipping } }")
            #expect(r.json?["data"]?.text == #"{"products":[{"id":"1","shipping":null},{"id":"2","shipping":null}]}"#, "\(r.text)")
            #expect(quiet.queries.isEmpty, "\(quiet.queries)")
        }
    }

    struct EntitiesAnswer: SubgraphTransport {
        let body: String
        func fetch(_ request: SubgraphRequest) async throws -> SubgraphResponse {
            try #require(SubgraphResponse.parse(Array(body.utf8)))
        }
    }

    struct Failing: SubgraphTransport {
        var sent: Sent? = nil
        func fetch(_ request: SubgraphRequest) async throws -> SubgraphResponse {
            let n = try request.allVariables()["representations"]?.arrayValue?.count ?? 0
            sent?.add(n)
            let answer: JSON = ["data": ["_entities": .array((0..<n).map { _ in ["inStock": .null] })],
                                "errors": .array((0..<n).map { i in ["message": "inventory is out of order", "path": ["_entities", .int(i), "inStock"]] })]
            return try #require(SubgraphResponse.parse(answer.bytes))
        }
    }
}

@Suite("Serving a subgraph alone")
struct StandaloneSubgraphTests {
    @Test func aModuleServedAloneAnswersEntitiesAfterTheSubgraphValueIsGone() async throws {
        // Only the service is kept, as `switchyard subgraph NAME` does.
        let service = try #require(try SubgraphModules.all()["bench_reviews"]).service(ModuleDependencies())
        try await withGateway(executor: service) { client in
            let r = try await client.query("query($r: [_Any!]!) { _entities(representations: $r) { ... on User { reviews { id } } } }",
                                           variables: #"{"r":[{"__typename":"User","id":"1"}]}"#)
            #expect(r.text == #"{"data":{"_entities":[{"reviews":[{"id":"1"},{"id":"2"}]}]}}"#)
        }
    }
}

@Suite("Readiness and query plans")
struct ReadinessAndPlanTests {
    @Test func readyIsFalseWhileARemoteSubgraphIsDown() async throws {
        let supergraph = try Supergraph(sdl: try benchFile("supergraph.graphql"))
        var transports: [String: any SubgraphTransport] = [:]
        for (name, s) in try BenchSubgraphs.all() where name != "inventory" {
            transports[name] = InProcessTransport(subgraph: s) { _ in BenchSubgraphs.Context() }
        }
        let down = closedPort()   // held bound, never listening
        defer { close(down.socket) }
        transports["inventory"] = HTTPTransport(name: "inventory", url: "http://127.0.0.1:\(down.port)/graphql")
        try await withGateway(executor: FederatedExecutor(supergraph: supergraph, transports: transports)) { client in
            let r = try await client.send(.GET, "/ready")
            #expect(r.status == 503)
        }
        try await withPythonSubgraph { url in
            var config = GatewayConfiguration()
            config.subgraphs = [SubgraphConfiguration(name: "accounts", module: "bench_accounts"), SubgraphConfiguration(name: "notes", url: url)]
            try await withConfiguredGateway(config) { client, _ in
                // (A loaded machine may miss a probe's second: it is asked again.)
                let status = try await client.readyStatus()
                #expect(status == 200)
            }
        }
    }

    @Test func theQueryPlanWhenAskedAndAllowed() async throws {
        let supergraph = try Supergraph(sdl: try benchFile("supergraph.graphql"))
        var transports = try benchInProcessTransports()
        let executor = FederatedExecutor(supergraph: supergraph, transports: transports)
        var config = GatewayConfiguration()
        config.exposeQueryPlan = true
        try await withGateway(config, executor: executor) { client in
            let r = try await client.query("{ topProducts(first: 1) { name inStock } }", headers: [("x-switchyard-query-plan", "true")])
            let plan = try #require(r.json?["extensions"]?["queryPlan"]?.stringValue)
            #expect(plan.contains("Fetch(service: \"products\")") && plan.contains("Flatten(path: \"topProducts.@\")"))
            let plain = try await client.query("{ topProducts(first: 1) { name } }")
            #expect(plain.json?["extensions"] == nil)
        }
        try await withGateway(executor: executor) { client in
            let r = try await client.query("{ topProducts(first: 1) { name } }", headers: [("x-switchyard-query-plan", "true")])
            #expect(r.json?["extensions"] == nil, "not exposed unless configured")
        }
    }
}

/// Field arguments written as literals are planned as variables (`LiteralExtraction`): requests
/// that differ only in such values share one plan, and each still gets its own answer.
@Suite("Plans shared across literal values") struct LiteralPlanSharingTests {
    @Test func documentsThatDifferOnlyInLiteralsShareOnePlan() async throws {
        let supergraph = try Supergraph(sdl: try benchFile("supergraph.graphql"))
        var transports = try benchInProcessTransports()
        let counting = CountingTransports(transports)
        let executor = FederatedExecutor(supergraph: supergraph, transports: counting.wrapped)
        try await withGateway(executor: executor) { client in
            let one = try await client.query(#"{ topProducts(first: 1) { upc name inStock } }"#)
            #expect(one.json?["data"]?.text == #"{"topProducts":[{"upc":"1","name":"Table","inStock":true}]}"#, "\(one.text)")
            #expect(executor.cachedPlans == 2, "under the text and under the shape")
            let two = try await client.query(#"{ topProducts(first: 2) { upc name inStock } }"#)
            #expect(two.json?["data"]?["topProducts"]?.arrayValue?.count == 2, "\(two.text)")
            #expect(executor.cachedPlans == 2, "the shape's plan, not one more")
            let again = try await client.query(#"{ topProducts(first: 1) { upc name inStock } }"#)
            #expect(again.text == one.text)
            #expect(executor.cachedPlans == 2)
            // A literal that stays (a directive's argument decides what is planned) makes a shape of its own.
            let skipped = try await client.query(#"{ topProducts(first: 1) { upc name @skip(if: true) } }"#)
            #expect(skipped.json?["data"]?.text == #"{"topProducts":[{"upc":"1"}]}"#, "\(skipped.text)")
            #expect(executor.cachedPlans == 4)
            // Equal values of one type share a variable: the two `topProducts` merge as one field.
            let twice = try await client.query(#"{ topProducts(first: 1) { upc } topProducts(first: 1) { name } }"#)
            #expect(twice.json?["data"]?.text == #"{"topProducts":[{"upc":"1","name":"Table"}]}"#, "\(twice.text)")
            // An invalid literal is refused as before, with its location in the client's text.
            let wrong = try await client.query(#"{ topProducts(first: "one") { upc } }"#)
            #expect(wrong.json?["errors"]?[0]?["locations"]?[0]?["column"]?.intValue == 22, "\(wrong.text)")
        }
    }

    /// Two documents of one shape: the second, planned under the first's plan, still reports its
    /// errors at its own fields' locations; fragments under `__schema` stay the operation's.
    @Test func aSharedPlanKeepsEachDocumentsOwnLocationsAndFragments() async throws {
        let supergraph = try Supergraph(sdl: try benchFile("supergraph.graphql"))
        var transports = try benchInProcessTransports()
        transports["products"] = RemoteSubgraphTests.Answering(#"{"data":{"topProducts":[{"upc":null,"name":"B"}]}}"#)
        try await withGateway(executor: FederatedExecutor(supergraph: supergraph, transports: transports)) { client in
            for first in ["1", "12345"] {
                let r = try await client.query("{ topProducts(first: \(first)) { upc name } }")
                #expect(r.json?["errors"]?[0]?["message"] == "Cannot return null for non-nullable field Product.upc.", "\(r.text)")
                #expect(r.json?["errors"]?[0]?["locations"]?[0]?["column"]?.intValue == 26 + first.count, "\(r.text)")
            }
        }
        try await withGateway(executor: FederatedExecutor(supergraph: supergraph, transports: try benchInProcessTransports())) { client in
            let r = try await client.query("{ topProducts(first: 1) { upc } __schema { queryType { ...T } } } fragment T on __Type { name }")
            #expect(r.json?["data"]?["__schema"]?.text == #"{"queryType":{"name":"Query"}}"#, "\(r.text)")
        }
    }
}
