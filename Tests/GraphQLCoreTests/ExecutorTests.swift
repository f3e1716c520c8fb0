import GraphQLCore
import OrderedCollections
import Synchronization
import Testing

/// A small world to execute against: characters behind an interface and a union, a search
/// with input objects and @oneOf, a mutation that records its order, failing fields.
struct World: Sendable {
    struct Character: Sendable { let id: String; let name: String; let isDroid: Bool; let friends: [String] }
    static let characters: [String: Character] = [
        "1": Character(id: "1", name: "Luke", isDroid: false, friends: ["2", "3"]),
        "2": Character(id: "2", name: "R2-D2", isDroid: true, friends: ["1"]),
        "3": Character(id: "3", name: "Leia", isDroid: false, friends: ["1", "2", "404"]),
    ]
}

final class Log: @unchecked Sendable {
    var entries: [String] = []
    let barrier = Barrier(parties: 3)
}

/// Opens when `parties` callers have arrived; fails them all if that takes longer than 10 s
/// (which is what happens if the callers run one after another).
actor Barrier {
    let parties: Int
    private var waiting: [CheckedContinuation<Void, Error>] = []
    init(parties: Int) { self.parties = parties }

    struct Timeout: Error {}

    func arrive() async throws {
        if waiting.count + 1 == parties {
            waiting.forEach { $0.resume() }
            waiting.removeAll()
            return
        }
        try await withCheckedThrowingContinuation { cont in
            waiting.append(cont)
            if waiting.count == 1 {
                Task { try? await Task.sleep(for: .seconds(10)); self.expire() }
            }
        }
    }

    private func expire() {
        waiting.forEach { $0.resume(throwing: Timeout()) }
        waiting.removeAll()
    }
}

let worldSDL = """
schema { query: Query mutation: Mutation }
interface Character { id: ID! name: String! friends: [Character] }
type Human implements Character { id: ID! name: String! friends: [Character] homePlanet: String }
type Droid implements Character { id: ID! name: String! friends: [Character] primaryFunction: String! }
union SearchResult = Human | Droid
enum Episode { NEWHOPE EMPIRE JEDI }
input Filter { nameContains: String, limit: Int = 10, episodes: [Episode!] }
input Lookup @oneOf { id: ID, name: String }
type Query {
  hero(episode: Episode = NEWHOPE): Character
  character(id: ID!): Character
  search(filter: Filter): [SearchResult!]!
  lookup(by: Lookup!): Character
  echo(value: String, n: Int, f: Float, list: [Int], flag: Boolean! = false): String
  nonNullFail: String!
  nullableFail: String
  nested: Nested
  meet(tag: String!): String
}
type Nested { ok: String, failNonNull: String!, asyncFailNonNull: String!, inner: Nested!, items: [Nested!] }
type Mutation { append(tag: String!, ms: Int = 0): [String!]! }
"""

struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }

func makeWorld(log: Log = Log()) throws -> ExecutableSchema<Log> {
    let schema = try Schema(sdl: worldSDL)
    let human = ObjectResolvers<Log, World.Character>("Human")
    let droid = ObjectResolvers<Log, World.Character>("Droid")
    @Sendable func character(_ c: World.Character) -> Output { c.isDroid ? .object(c, droid) : .object(c, human) }
    @Sendable func byID(_ id: String) -> Output { World.characters[id].map(character) ?? .null }
    for r in [human, droid] {
        r.field("id") { c, _, _, _ in .leaf(.string(c.id)) }
            .field("name") { c, _, _, _ in .leaf(.string(c.name)) }
            .field("friends") { c, _, _, _ in .list(c.friends.map(byID)) }
    }
    human.field("homePlanet") { _, _, _, _ in .leaf("Tatooine") }
    droid.field("primaryFunction") { _, _, _, _ in .leaf("Astromech") }
    let nested = ObjectResolvers<Log, Int>("Nested")
        .field("ok") { n, _, _, _ in .leaf(.string("ok\(n)")) }
        .field("failNonNull") { _, _, _, _ in throw Boom() }
        .field("inner") { n, _, _, _ in .object(n + 1, nestedRef.value!) }
        .field("items") { n, _, _, _ in .list([.object(n + 1, nestedRef.value!), .object(n + 2, nestedRef.value!)]) }
        .asyncField("asyncFailNonNull") { n, _, _, _ in
            if n == 2 { throw GraphQLError("late failure") }
            return .leaf(.string("fine\(n)"))
        }
    nestedRef.value = nested
    let query = ObjectResolvers<Log, Void>("Query")
        .field("hero") { _, a, _, _ in a.string("episode") == "EMPIRE" ? byID("1") : byID("2") }
        .field("character") { _, a, _, _ in byID(a.string("id")!) }
        .field("search") { _, a, _, _ in
            let f = a.object("filter")
            let needle = f?["nameContains"]?.stringValue ?? ""
            let limit = f?["limit"]?.intValue ?? 100
            let hits = World.characters.values.sorted { $0.id < $1.id }.filter { needle.isEmpty || $0.name.contains(needle) }
            return .list(hits.prefix(limit).map(character))
        }
        .field("lookup") { _, a, _, _ in
            let by = a.object("by")!
            if let id = by["id"]?.stringValue { return byID(id) }
            return World.characters.values.first { $0.name == by["name"]?.stringValue }.map(character) ?? .null
        }
        .field("echo") { _, a, _, _ in .leaf(.string(JSON.object(a.values).text)) }
        .field("nonNullFail") { _, _, _, _ in throw Boom() }
        .field("nullableFail") { _, _, _, _ in throw GraphQLError("custom failure", code: "CUSTOM") }
        .field("nested") { _, _, _, _ in .object(0, nested) }
        .asyncField("meet") { _, a, log, _ in
            try await log.barrier.arrive()
            return .leaf(.string(a.string("tag")!))
        }
    let mutation = ObjectResolvers<Log, Void>("Mutation")
        .asyncField("append") { _, a, log, _ in
            try await Task.sleep(for: .milliseconds(a.int("ms") ?? 0))
            log.entries.append(a.string("tag")!)
            return .list(log.entries.map { .leaf(.string($0)) })
        }
    return ExecutableSchema<Log>(schema: schema).root(.query, (), query).root(.mutation, (), mutation)
}

final class Ref<T>: @unchecked Sendable { var value: T? }
nonisolated(unsafe) let nestedRef = Ref<ObjectResolvers<Log, Int>>()

func run(_ query: String, variables: OrderedDictionary<String, JSON> = [:], operationName: String? = nil, log: Log = Log()) async throws -> ExecutionResult {
    let source = Source(query)
    let doc = try Parser.parse(source)
    return await Executor.execute(try makeWorld(log: log), request: ExecutionRequest(document: doc, operationName: operationName,
                                                                                    variables: variables, source: source), context: log)
}

@Suite("Executor")
struct ExecutorTests {
    @Test func resolvesFieldsInOrderWithAliasesAndTypename() async throws {
        let r = try await run("{ b: hero { name __typename } a: character(id: \"1\") { id name ... on Human { homePlanet } } }")
        #expect(r.json.text == #"{"data":{"b":{"name":"R2-D2","__typename":"Droid"},"a":{"id":"1","name":"Luke","homePlanet":"Tatooine"}}}"#)
    }

    @Test func abstractTypesWithFragmentsOnInterfaceAndUnion() async throws {
        let r = try await run("""
            query { search { __typename ... on Character { name } ... on Droid { primaryFunction } ...H }
                    hero(episode: EMPIRE) { friends { name } } }
            fragment H on Human { homePlanet }
            """)
        #expect(r.errors.isEmpty)
        #expect(r.json.text == #"{"data":{"search":[{"__typename":"Human","name":"Luke","homePlanet":"Tatooine"},{"__typename":"Droid","name":"R2-D2","primaryFunction":"Astromech"},{"__typename":"Human","name":"Leia","homePlanet":"Tatooine"}],"hero":{"friends":[{"name":"R2-D2"},{"name":"Leia"}]}}}"#)
    }

    @Test func nullInListOfNullableItemsAndErrorPaths() async throws {
        let r = try await run(#"{ character(id: "3") { friends { name } } nullableFail }"#)
        // friend "404" does not exist: a null item in a nullable list
        #expect(r.json.text.contains(#""friends":[{"name":"Luke"},{"name":"R2-D2"},null]"#))
        #expect(r.errors.count == 1)
        #expect(r.errors[0].message == "custom failure")
        #expect(r.errors[0].path == [.key("nullableFail")])
        #expect(r.errors[0].locations == [SourceLocation(line: 1, column: 43)])
        #expect(r.errors[0].code == "CUSTOM")
    }

    @Test func nonNullErrorPropagatesToNearestNullableParent() async throws {
        let r = try await run("{ nested { ok inner { ok inner { failNonNull } } } echo(value: \"x\") }")
        #expect(r.json.text == #"{"errors":[{"message":"Internal server error","locations":[{"line":1,"column":34}],"path":["nested","inner","inner","failNonNull"],"extensions":{"code":"INTERNAL_SERVER_ERROR"}}],"data":{"nested":null,"echo":"{\"value\":\"x\",\"flag\":false}"}}"#)
    }

    @Test func aLateNonNullErrorPropagatesThroughNonNullParentsToTheNearestNullableOne() async throws {
        // The failing resolver is asynchronous: its error arrives after its parents were completed.
        let r = try await run("{ nested { ok inner { ok inner { asyncFailNonNull } } } echo(value: \"x\") }")
        #expect(r.json.text == #"{"errors":[{"message":"late failure","locations":[{"line":1,"column":34}],"path":["nested","inner","inner","asyncFailNonNull"]}],"data":{"nested":null,"echo":"{\"value\":\"x\",\"flag\":false}"}}"#)
        // In a list of non-null items, the failing item nulls the list (the nearest nullable position).
        let list = try await run("{ nested { ok items { asyncFailNonNull } } }")
        #expect(list.json.text == #"{"errors":[{"message":"late failure","locations":[{"line":1,"column":23}],"path":["nested","items",1,"asyncFailNonNull"]}],"data":{"nested":{"ok":"ok0","items":null}}}"#)
        // Two late failures under one list: whichever comes second lands in a list already nulled
        // (taken out of the tree, still there for the resolvers below it) and changes nothing more.
        let two = try await run("{ nested { items { inner { asyncFailNonNull } asyncFailNonNull } } }")
        #expect(two.json["data"]?.text == #"{"nested":{"items":null}}"#)
        #expect(Set(two.errors.compactMap(\.path)) == [[.key("nested"), .key("items"), .index(0), .key("inner"), .key("asyncFailNonNull")],
                                                      [.key("nested"), .key("items"), .index(1), .key("asyncFailNonNull")]])
    }

    @Test func theAnswerIsOneBufferWrittenAsItCompletes() async throws {
        // Asynchronous fields fill their records after their objects were made; the buffer is
        // handed over as is (what a plan run absorbs), and reads and writes as the same JSON.
        let r = try await run(#"{ nested { ok inner { ok asyncFailNonNull } items { ok __typename } } hero { name __typename friends { __typename name } } echo(value: "q\"uote") }"#)
        #expect(r.errors.isEmpty)
        let buffer = try #require(r.dataBuffer)
        let expected: JSON = ["nested": ["ok": "ok0", "inner": ["ok": "ok1", "asyncFailNonNull": "fine1"],
                                         "items": [["ok": "ok1", "__typename": "Nested"], ["ok": "ok2", "__typename": "Nested"]]],
                              "hero": ["name": "R2-D2", "__typename": "Droid", "friends": [["__typename": "Human", "name": "Luke"]]],
                              "echo": #"{"value":"q\"uote","flag":false}"#]
        #expect(buffer.rootJSON == expected)
        #expect(r.data == expected)
        #expect(try JSONReader.parse(r.jsonBytes) == ["data": expected])
        #expect(Set(buffer.keys.names).count == buffer.keys.names.count, "each response key is one id")
        // A late failure's null, written into the buffer, reads back where it propagated to.
        let late = try await run("{ nested { inner { inner { asyncFailNonNull } } ok } }")
        #expect(late.dataBuffer.map { $0.rootJSON } == ["nested": .null])
    }

    /// A custom scalar's literal carries its variables' values (graphql-js `valueFromASTUntyped`):
    /// `_entities(representations: [{__typename: "T", id: $id}])` had its key replaced by null.
    @Test func aCustomScalarLiteralTakesItsVariablesValues() async throws {
        let schema = try Schema(sdl: "scalar JSON type Query { echo(v: JSON): JSON count(id: ID): Int }")
        let exec = ExecutableSchema<Log>(schema: schema)
        exec.root(.query, (), ObjectResolvers<Log, Void>("Query").field("echo") { _, args, _, _ in .leaf(args["v"] ?? .null) })
        let source = Source(#"query($id: ID, $n: Int) { echo(v: [{__typename: "T", id: $id, n: $n, missing: $none}]) }"#)
        let r = await Executor.execute(exec, request: ExecutionRequest(document: try Parser.parse(source), variables: ["id": "7", "n": 3], source: source),
                                       context: Log())
        #expect(r.json.text == #"{"data":{"echo":[{"__typename":"T","id":"7","n":3,"missing":null}]}}"#, "\(r.json.text)")
    }

    /// A variable's errors show its value cut short (an error per problem echoed a large value
    /// whole, up to the error cap: 1 MB in, 49 MB out); a very long unknown name gets no suggestion
    /// (lengths further apart than graphql-js's threshold are not measured).
    @Test func largeInvalidValuesAreShownCutShort() async throws {
        let schema = try Schema(sdl: "input In { a: Int } type Query { f(i: In): Int }")
        let exec = ExecutableSchema<Log>(schema: schema)
        exec.root(.query, (), ObjectResolvers<Log, Void>("Query").field("f") { _, _, _, _ in .leaf(1) })
        var big = OrderedDictionary<String, JSON>()
        for k in 0..<5_000 { big["key\(k)"] = .string(String(repeating: "v", count: 20)) }
        let source = Source("query($i: In) { f(i: $i) }")
        let r = await Executor.execute(exec, request: ExecutionRequest(document: try Parser.parse(source), variables: ["i": .object(big)], source: source),
                                       context: Log())
        #expect(!r.errors.isEmpty)
        #expect(r.errors.allSatisfy { $0.message.utf8.count < 600 }, "\(r.errors.first?.message.prefix(300) ?? "")")
        #expect(Suggestions.list(String(repeating: "a", count: 60_000), ["Query", "aaaa"]).isEmpty)
        #expect(Suggestions.list("Quer", ["Query"]) == ["Query"])
    }

    @Test func internalErrorsAreRedactedUnlessExposed() async throws {
        let seen = Log()
        let exec = try makeWorld()
        exec.internalErrorHandler = { e in seen.entries.append("\(e)") }
        let doc = try Parser.parse("{ nullableFail nested { failNonNull } }")
        let redacted = await Executor.execute(exec, request: ExecutionRequest(document: doc), context: Log())
        #expect(redacted.errors.map(\.message) == ["custom failure", "Internal server error"], "GraphQLErrors are the resolver's own words")
        #expect(seen.entries == ["boom"], "the detail goes to the handler, not the client")
        exec.exposeInternalErrors = true
        let exposed = await Executor.execute(exec, request: ExecutionRequest(document: doc), context: Log())
        #expect(exposed.errors.map(\.message) == ["custom failure", "boom"])
    }

    @Test func nonNullRootFieldNullsData() async throws {
        let r = try await run("{ echo(value: \"a\") nonNullFail }")
        #expect(r.data == .null)
        #expect(r.errors.map(\.path) == [[.key("nonNullFail")]])
    }

    @Test func nonNullListItemNullsTheList() async throws {
        // search returns [SearchResult!]! : a runtime type outside the union fails the item, then the list, then data
        let r = try await run("{ search(filter: {nameContains: \"Luke\"}) { ... on Human { name } } }")
        #expect(r.json.text == #"{"data":{"search":[{"name":"Luke"}]}}"#)
    }

    @Test func mutationsRunSeriallyInDocumentOrder() async throws {
        let log = Log()
        let r = try await run(#"mutation { a: append(tag: "first", ms: 30) b: append(tag: "second") c: append(tag: "third", ms: 10) }"#, log: log)
        #expect(log.entries == ["first", "second", "third"])
        #expect(r.json.text == #"{"data":{"a":["first"],"b":["first","second"],"c":["first","second","third"]}}"#)
    }

    @Test func queryFieldsResolveConcurrently() async throws {
        // Each resolver waits until all three have started: only concurrent resolution finishes.
        let r = try await run(#"{ a: meet(tag: "a") b: meet(tag: "b") c: meet(tag: "c") }"#)
        #expect(r.errors.isEmpty)
        #expect(r.json.text == #"{"data":{"a":"a","b":"b","c":"c"}}"#)
    }

    @Test func variablesWithDefaultsListsInputObjectsAndCoercion() async throws {
        let q = "query Q($v: String, $n: Int = 7, $f: Float, $l: [Int], $flag: Boolean!) { echo(value: $v, n: $n, f: $f, list: $l, flag: $flag) }"
        let r = try await run(q, variables: ["v": "hi", "f": 2, "l": 5, "flag": true])
        // Int 2 coerces to Float; a single value coerces to a list of one; the default fills $n.
        #expect(r.json.text == #"{"data":{"echo":"{\"value\":\"hi\",\"n\":7,\"f\":2,\"list\":[5],\"flag\":true}"}}"#)
        let search = try await run("query($f: Filter) { search(filter: $f) { ... on Character { id } } }",
                                   variables: ["f": ["nameContains": "e", "episodes": ["JEDI"]]])
        #expect(search.json.text == #"{"data":{"search":[{"id":"1"},{"id":"3"}]}}"#)
    }

    /// Input coercion of list and input-object variables: values that coerce to themselves are
    /// passed on as they are, while a default to fill, a key out of the type's order or a value
    /// that converts (Int to Float, Int to ID) makes the object anew in the type's field order,
    /// wherever it is in the list; a bad value deep in a list still names its place.
    @Test func listsOfInputObjectsCoerceOnlyWhatChanges() async throws {
        let schema = try Schema(sdl: """
            input In { a: String!, b: Int = 5, c: Float, d: ID, e: [In!] }
            type Query { echo(items: [In!]!): String }
            """)
        let query = ObjectResolvers<Void, Void>("Query").field("echo") { _, a, _, _ in .leaf(.string(JSON.object(a.values).text)) }
        let executable = ExecutableSchema<Void>(schema: schema).root(.query, (), query)
        func echo(_ items: JSON) async throws -> ExecutionResult {
            let source = Source("query($i: [In!]!) { echo(items: $i) }")
            return await Executor.execute(executable, request: ExecutionRequest(document: try Parser.parse(source), variables: ["i": items],
                                                                                source: source), context: ())
        }
        let same: JSON = [["a": "x", "b": 1, "c": 1.5, "d": "7"], ["a": "y", "b": 2, "e": [["a": "z", "b": 3]]]]
        #expect(try await echo(same).data?["echo"]?.stringValue == JSON.object(["items": same]).text)
        let changing: JSON = [["a": "x", "b": 1], ["b": 2, "a": "y"], ["a": "z", "c": 2, "d": 9, "e": [["a": "w"]]]]
        let expected: JSON = [["a": "x", "b": 1], ["a": "y", "b": 2], ["a": "z", "b": 5, "c": 2.0, "d": "9", "e": [["a": "w", "b": 5]]]]
        #expect(try await echo(changing).data?["echo"]?.stringValue == JSON.object(["items": expected]).text)
        let bad = try await echo([["a": "x"], ["a": "y", "e": [["a": "z", "b": "no"]]]])
        #expect(bad.errors.map(\.message) == [#"Variable "$i" got invalid value "no" at "i[1].e[0].b"; Int cannot represent non-integer value: "no""#])
    }

    /// An ID variable takes any integer JSON number, however it is written (`5.0`, `1e3`, beyond
    /// 64 bits), as graphql-js and graphql-core do; a fraction stays an error.
    @Test func idVariablesTakeIntegersWrittenAsFloats() async throws {
        let schema = try Schema(sdl: "type Query { echo(id: ID): String }")
        let query = ObjectResolvers<Void, Void>("Query").field("echo") { _, a, _, _ in .leaf(a.values["id"] ?? .null) }
        let executable = ExecutableSchema<Void>(schema: schema).root(.query, (), query)
        func echo(_ id: JSON) async throws -> ExecutionResult {
            await Executor.execute(executable, request: ExecutionRequest(document: try Parser.parse("query($i: ID) { echo(id: $i) }"), variables: ["i": id]),
                                   context: ())
        }
        let cases: [(JSON, String)] = [(5.0, "5"), (1e3, "1000"), (-0.0, "0"), (1e20, "100000000000000000000"), (-9.223372036854775808e18, "-9223372036854775808")]
        for (given, id) in cases {
            #expect(try await echo(given).data?["echo"]?.stringValue == id, "\(given)")
        }
        #expect(try await echo(1.5).errors.first?.message.contains("ID cannot represent") == true)
    }

    @Test func variableCoercionFailuresAreRequestErrors() async throws {
        let cases: [(String, OrderedDictionary<String, JSON>, String)] = [
            ("query($n: Int) { echo(n: $n) }", ["n": "abc"], #"Variable "$n" got invalid value "abc"; Int cannot represent non-integer value: "abc""#),
            ("query($n: Int) { echo(n: $n) }", ["n": 3_000_000_000], #"Variable "$n" got invalid value 3000000000; Int cannot represent non 32-bit signed integer value: 3000000000"#),
            ("query($b: Boolean!) { echo(flag: $b) }", [:], #"Variable "$b" of required type "Boolean!" was not provided."#),
            ("query($b: Boolean!) { echo(flag: $b) }", ["b": .null], #"Variable "$b" of non-null type "Boolean!" must not be null."#),
            ("query($f: Filter) { search(filter: $f) { __typename } }", ["f": ["nope": 1]], #"Variable "$f" got invalid value { nope: 1 }; Field "nope" is not defined by type "Filter"."#),
            ("query($f: Filter) { search(filter: $f) { __typename } }", ["f": ["episodes": ["SITH"]]], #"Variable "$f" got invalid value "SITH" at "f.episodes[0]"; Value "SITH" does not exist in "Episode" enum."#),
        ]
        for (q, vars, message) in cases {
            let r = try await run(q, variables: vars)
            #expect(r.data == nil, "\(q)")
            #expect(r.errors.map(\.message) == [message])
            #expect(r.errors.first?.code == "BAD_USER_INPUT")
        }
    }

    /// Every problem in a variable's value is reported, each where it is (graphql-js): the
    /// request was refused at the first before, so a client fixed one mistake per round trip.
    @Test func everyProblemInAVariableIsReportedWhereItIs() async throws {
        let schema = try Schema(sdl: """
            input Pet { name: String!, age: Int, tags: [String!], kind: Kind, sub: Pet }
            enum Kind { DOG CAT }
            type Query { f(p: Pet, n: Int, q: [Pet]): Int }
            """)
        let executable = ExecutableSchema<Void>(schema: schema).root(.query, (), ObjectResolvers<Void, Void>("Query"))
        let source = Source("query($p: Pet, $n: Int!, $q: [Pet]) { f(p: $p, n: $n, q: $q) }")
        let r = await Executor.execute(executable, request: ExecutionRequest(document: try Parser.parse(source), variables: [
            "p": ["age": "x", "tags": [1, .null, "a"], "kind": "CAR", "zz": 1, "sub": ["name": 3]],
            "n": .null,
            "q": [["name": "a"], 5],
        ], source: source), context: ())
        #expect(r.data == nil)
        #expect(r.errors.map(\.message) == [
            #"Variable "$p" got invalid value { age: "x", tags: [1, null, "a"], kind: "CAR", zz: 1, sub: { name: 3 } }; Field "name" of required type "String!" was not provided."#,
            #"Variable "$p" got invalid value "x" at "p.age"; Int cannot represent non-integer value: "x""#,
            #"Variable "$p" got invalid value 1 at "p.tags[0]"; String cannot represent a non string value: 1"#,
            #"Variable "$p" got invalid value null at "p.tags[1]"; Expected non-nullable type "String!" not to be null."#,
            #"Variable "$p" got invalid value "CAR" at "p.kind"; Value "CAR" does not exist in "Kind" enum. Did you mean the enum value "CAT"?"#,
            #"Variable "$p" got invalid value 3 at "p.sub.name"; String cannot represent a non string value: 3"#,
            #"Variable "$p" got invalid value { age: "x", tags: [1, null, "a"], kind: "CAR", zz: 1, sub: { name: 3 } }; Field "zz" is not defined by type "Pet"."#,
            #"Variable "$n" of non-null type "Int!" must not be null."#,
            #"Variable "$q" got invalid value 5 at "q[1]"; Expected type "Pet" to be an object."#,
        ])
        #expect(r.errors.map { $0.locations.map(\.column) } == [[7], [7], [7], [7], [7], [7], [7], [16], [26]])

        // At most 50, then one that says the rest were not looked at.
        let many = await Executor.execute(executable, request: ExecutionRequest(document: try Parser.parse("query($q: [Pet]) { f(q: $q) }"),
                                                                                  variables: ["q": .array(Array(repeating: 1, count: 80))]), context: ())
        #expect(many.errors.count == 51)
        #expect(many.errors.last?.message == "Too many errors processing variables, error limit reached. Execution aborted.")
        // However the problems come: many unknown fields of one object, then more variables.
        var unknown = OrderedDictionary<String, JSON>()
        for i in 0..<10_000 { unknown["zz\(i)"] = 1 }
        let text = "query(" + (0..<30).map { "$r\($0): Int!, " }.joined() + "$p: Pet, " + (30..<60).map { "$r\($0): Int!" }.joined(separator: ", ") + ") { f(p: $p) }"
        let mixed = await Executor.execute(executable, request: ExecutionRequest(document: try Parser.parse(text), variables: ["p": .object(unknown)]), context: ())
        #expect(mixed.errors.count == 51, "\(mixed.errors.count)")
        #expect(mixed.errors.last?.message == "Too many errors processing variables, error limit reached. Execution aborted.")
    }

    @Test func oneOfInputObjects() async throws {
        #expect(try await run(#"{ lookup(by: {id: "2"}) { name } }"#).json.text == #"{"data":{"lookup":{"name":"R2-D2"}}}"#)
        #expect(try await run("query($l: Lookup!) { lookup(by: $l) { name } }", variables: ["l": ["name": "Leia"]]).json.text
                == #"{"data":{"lookup":{"name":"Leia"}}}"#)
        let two = try await run("query($l: Lookup!) { lookup(by: $l) { name } }", variables: ["l": ["name": "Leia", "id": "1"]])
        #expect(two.errors.first?.message == #"Variable "$l" got invalid value { name: "Leia", id: "1" }; Exactly one key must be specified for OneOf type "Lookup"."#)
        let null = try await run("query($l: Lookup!) { lookup(by: $l) { name } }", variables: ["l": ["id": .null]])
        #expect(null.errors.map(\.message) == [#"Variable "$l" got invalid value null at "l.id"; Field "id" must be non-null."#])
        // An unknown field is its own problem and counts for nothing among the one key.
        let unknown = try await run("query($l: Lookup!) { lookup(by: $l) { name } }", variables: ["l": ["zz": "1"]])
        #expect(unknown.errors.map(\.message) == [#"Variable "$l" got invalid value { zz: "1" }; Field "zz" is not defined by type "Lookup"."#,
                                                   #"Variable "$l" got invalid value { zz: "1" }; Exactly one key must be specified for OneOf type "Lookup"."#])
        let unknownAndOne = try await run("query($l: Lookup!) { lookup(by: $l) { name } }", variables: ["l": ["zz": "1", "id": "2"]])
        #expect(unknownAndOne.errors.count == 1)
        // A nullable variable with a default may stand for a OneOf field (§5.8.5): its default
        // when left out; given null, the argument does not coerce — a field error.
        let defaulted = "query($i: ID = \"2\") { lookup(by: {id: $i}) { name } }"
        #expect(try await run(defaulted).json.text == #"{"data":{"lookup":{"name":"R2-D2"}}}"#)
        let nulled = try await run(defaulted, variables: ["i": .null])
        #expect(nulled.json.text.contains(#""data":{"lookup":null}"#), "\(nulled.json.text)")
        #expect(nulled.errors.map(\.message) == [#"Argument "by" has invalid value {id: $i}."#],
                "\(nulled.errors.map(\.message))")
    }

    /// A variable's value that does not coerce is described as graphql-js describes it: its
    /// parseValue wording, the value printed as `inspect` prints it (keys bare, three levels,
    /// ten items).
    @Test func variableValuesAreShownAsGraphQLJSShowsThem() async throws {
        func message(_ q: String, _ variables: [String: JSON]) async throws -> String? {
            try await run(q, variables: .init(uniqueKeysWithValues: variables.map { ($0.key, $0.value) })).errors.first?.message
        }
        #expect(try await message("query($n: ID) { character(id: $n) { name } }", ["n": true])
                == #"Variable "$n" got invalid value true; ID cannot represent value: true"#)
        #expect(try await message("query($e: Episode) { hero(episode: $e) { name } }", ["e": 1])
                == #"Variable "$e" got invalid value 1; Enum "Episode" cannot represent non-string value: 1."#)
        #expect(try await message("query($e: Episode) { hero(episode: $e) { name } }", ["e": ["a": [[1]]]])
                == #"Variable "$e" got invalid value { a: [[Array]] }; Enum "Episode" cannot represent non-string value: { a: [[Array]] }."#)
        #expect(try await message("query($e: Episode) { hero(episode: $e) { name } }", ["e": .array((1...12).map { JSON.int($0) })])
                == #"Variable "$e" got invalid value [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ... 2 more items]; Enum "Episode" cannot represent non-string value: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ... 2 more items]."#)
        // A value that is not a string is compared with the enum's values as it is shown.
        #expect(try await message("query($e: Episode) { hero(episode: $e) { name } }", ["e": ["JEDI"]])
                == #"Variable "$e" got invalid value ["JEDI"]; Enum "Episode" cannot represent non-string value: ["JEDI"]. Did you mean the enum value "JEDI"?"#)
    }

    /// An argument's coercion error is graphql-js's, located at the argument's value.
    @Test func argumentErrorsAreLocatedAtTheValue() async throws {
        let q = "query($e: Episode, $n: ID = \"1\") { hero(episode: $e) { name } character(id: $n) { name } }"
        let r = try await run(q, variables: ["n": .null])
        let column = q.range(of: "$n)")!.lowerBound.utf16Offset(in: q) + 1
        #expect(r.errors.map(\.message) == [#"Argument "id" of non-null type "ID!" must not be null."#])
        #expect(r.errors.first?.locations.map(\.column) == [column])
    }

    @Test func skipAndIncludeWithVariables() async throws {
        let q = "query($s: Boolean!) { hero { name @skip(if: $s) id @include(if: $s) ... on Droid @skip(if: true) { primaryFunction } } }"
        #expect(try await run(q, variables: ["s": true]).json.text == #"{"data":{"hero":{"id":"2"}}}"#)
        #expect(try await run(q, variables: ["s": false]).json.text == #"{"data":{"hero":{"name":"R2-D2"}}}"#)
    }

    @Test func operationSelection() async throws {
        let doc = "query A { hero { id } } query B { hero { name } }"
        #expect(try await run(doc, operationName: "B").json.text == #"{"data":{"hero":{"name":"R2-D2"}}}"#)
        #expect(try await run(doc).errors.first?.message == "Must provide operation name if query contains multiple operations.")
        #expect(try await run(doc, operationName: "C").errors.first?.message == "Unknown operation named \"C\".")
    }

    @Test func introspection() async throws {
        let r = try await run("""
            { __schema { queryType { name } mutationType { name } subscriptionType { name } directives { name } }
              __type(name: "Character") { kind name possibleTypes { name } fields { name type { kind ofType { kind name } } } }
              lookup: __type(name: "Lookup") { isOneOf inputFields { name } }
              filter: __type(name: "Filter") { inputFields { name defaultValue } }
              missing: __type(name: "Nope") { name } }
            """)
        #expect(r.errors.isEmpty)
        let data = r.data!
        #expect(data["__schema"]?["queryType"]?["name"] == "Query")
        #expect(data["__schema"]?["subscriptionType"] == .null)
        #expect(data["__schema"]?["directives"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["include", "skip", "deprecated", "specifiedBy", "oneOf"])
        #expect(data["__type"]?["possibleTypes"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["Human", "Droid"])
        #expect(data["__type"]?["fields"]?[0]?.text == #"{"name":"id","type":{"kind":"NON_NULL","ofType":{"kind":"SCALAR","name":"ID"}}}"#)
        #expect(data["lookup"]?["isOneOf"] == true)
        #expect(data["filter"]?["inputFields"]?[1]?.text == #"{"name":"limit","defaultValue":"10"}"#)
        #expect(data["missing"] == .null)
    }

    /// Float defaults are written as graphql-js writes them (JavaScript's Number#toString): an
    /// integral one as an Int literal, an exponent only below 1e-6 or from 1e21.
    @Test func floatDefaultsReadAsGraphQLJSWritesThem() async throws {
        let schema = try Schema(sdl: """
            type Query { a(f: F): Int }
            input F { a: Float = 1.0 b: Float = 1e-7 c: Float = -0.0 d: Float = 1.5 e: Float = 0.000001
                      f: [Float] = [2.0, 1e21] g: Float = 123456789012345680000 h: Float = -2.5e-8 i: Float = 0.1 }
            """)
        let exec = ExecutableSchema<Log>(schema: schema).root(.query, (), ObjectResolvers<Log, Void>("Query").field("a") { _, _, _, _ in .leaf(.int(1)) })
        let r = await Executor.execute(exec, request: ExecutionRequest(document: try Parser.parse(#"{ __type(name: "F") { inputFields { defaultValue } } }"#)), context: Log())
        #expect(r.data?["__type"]?["inputFields"]?.arrayValue?.compactMap { $0["defaultValue"]?.stringValue }
                == ["1", "1e-7", "0", "1.5", "0.000001", "[2, 1e+21]", "123456789012345680000", "-2.5e-8", "0.1"])
    }

    /// A custom scalar's default no double holds is printed as written (probe 55H: `inf`, which no
    /// client's schema builder reads), and a string's C1 controls are escaped as graphql-js's
    /// printString escapes them.
    @Test func defaultsPrintAsGraphQLValues() async throws {
        let schema = try Schema(sdl: #"""
            scalar JSON
            type Query { a(pos: JSON = 1e400, neg: JSON = -1e400, s: String = "a\u007Fb\u0085c\u009Fd\u00A0e"): Int }
            """#)
        let exec = ExecutableSchema<Log>(schema: schema).root(.query, (), ObjectResolvers<Log, Void>("Query").field("a") { _, _, _, _ in .leaf(.int(1)) })
        let r = await Executor.execute(exec, request: ExecutionRequest(document: try Parser.parse(#"{ __type(name: "Query") { fields { args { defaultValue } } } }"#)), context: Log())
        #expect(r.data?["__type"]?["fields"]?[0]?["args"]?.arrayValue?.compactMap { $0["defaultValue"]?.stringValue }
                == ["1e400", "-1e400", "\"a\\u007Fb\\u0085c\\u009Fd\u{A0}e\""])
    }

    /// As graphql-js builds a schema: a built-in scalar nothing refers to is not a type of it
    /// (not in `__schema.types` — §3.5 —, not found by `__type`, not declarable as a variable's
    /// type); a type definition followed by a shorthand query parses, and is refused as not
    /// executable. `includeDeprecated` stays `Boolean = false` as graphql-js 16 has it (the
    /// working draft's `Boolean! = false` would change what a full introspection query answers).
    @Test func theSchemaHasTheBuiltInScalarsItUses() async throws {
        let schema = try Schema(sdl: "type Query { a(n: Int): String }")
        let exec = ExecutableSchema<Log>(schema: schema).root(.query, (), ObjectResolvers<Log, Void>("Query").field("a") { _, _, _, _ in .leaf("x") })
        let r = await Executor.execute(exec, request: ExecutionRequest(document: try Parser.parse(
            #"{ f: __type(name: "Float") { name } i: __type(name: "Int") { name } __schema { types { name } } }"#)), context: Log())
        #expect(r.data?["f"] == .null)
        #expect(r.data?["i"]?["name"] == "Int")
        let names = r.data?["__schema"]?["types"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        #expect(names.contains("String") && names.contains("Boolean") && names.contains("Int"), "\(names)")
        #expect(!names.contains("Float") && !names.contains("ID"), "\(names)")
        func messages(_ text: String) throws -> [String] {
            Validator.validate(schema: schema, document: try Parser.parse(text), source: Source(text)).map(\.message)
        }
        let float = try messages("query ($v: Float) { a }")
        #expect(float.first == #"Unknown type "Float"."#, "\(float)")
        #expect(try messages("query ($v: Int) { a(n: $v) }") == [])
        #expect(try messages(#"{ __type(name: "Query") { fields(includeDeprecated: true) { name } } }"#) == [])
        #expect(try messages("type T { x: Int } { a }") == [#"The "T" definition is not executable."#])
    }

    @Test func introspectionCanBeSwitchedOff() async throws {
        let schema = try Schema(sdl: "type Query { a: String }", introspection: false)
        let exec = ExecutableSchema<Log>(schema: schema).root(.query, (), ObjectResolvers<Log, Void>("Query").field("a") { _, _, _, _ in .leaf("x") })
        let r = await Executor.execute(exec, request: ExecutionRequest(document: try Parser.parse("{ a __schema { types { name } } }")), context: Log())
        #expect(r.errors.first?.code == "INTROSPECTION_DISABLED")
        #expect(r.errors.first?.path == [.key("__schema")])
        #expect(r.data == .null, "__schema is non-null, so its error nulls data (§6.4.4)")
    }

    @Test func leafResultCoercionFailureIsAFieldError() async throws {
        let schema = try Schema(sdl: "type Query { n: Int e: E } enum E { A }")
        let q = ObjectResolvers<Log, Void>("Query")
            .field("n") { _, _, _, _ in .leaf(.int(5_000_000_000)) }
            .field("e") { _, _, _, _ in .leaf("B") }
        let r = await Executor.execute(ExecutableSchema<Log>(schema: schema).root(.query, (), q),
                                       request: ExecutionRequest(document: try Parser.parse("{ n e }")), context: Log())
        #expect(r.json.text.contains(#""data":{"n":null,"e":null}"#), "\(r.json.text)")
        #expect(r.errors.map(\.message) == ["Int cannot represent value: 5000000000", "Enum \"E\" cannot represent value: \"B\""], "\(r.json.text)")
    }

    /// The executor is not generic over the context: a resolver may return an object whose
    /// resolvers were written for another context type. That is a field error, not a crash or
    /// a context read as the wrong type.
    @Test func objectsWithResolversForAnotherContextTypeAreAFieldError() async throws {
        struct Other: Sendable { let secret: String }
        let schema = try Schema(sdl: "type Query { a: A b: A } type A { x: String }")
        let good = ObjectResolvers<Log, Int>("A").field("x") { n, _, log, _ in .leaf(.string("ok\(n) \(log.entries.count)")) }
        let foreign = ObjectResolvers<Other, Int>("A").field("x") { _, _, other, _ in .leaf(.string(other.secret)) }
        let q = ObjectResolvers<Log, Void>("Query")
            .field("a") { _, _, _, _ in .object(1, good) }
            .field("b") { _, _, _, _ in .object(2, foreign) }
        let r = await Executor.execute(ExecutableSchema<Log>(schema: schema).root(.query, (), q),
                                       request: ExecutionRequest(document: try Parser.parse("{ a { x } b { x } }")), context: Log())
        #expect(r.json.text.contains(#""data":{"a":{"x":"ok1 0"},"b":{"x":null}}"#), "\(r.json.text)")
        #expect(r.errors.map(\.path) == [[.key("b"), .key("x")]], "\(r.json.text)")
        #expect(r.errors.first?.message.contains("another context type") == true, "\(r.json.text)")
    }
}

@Suite("Execution results as bytes")
struct ExecutionResultBytesTests {
    /// Data written behind room for `{"data":` is completed in place; whatever the result holds,
    /// the bytes are those of `jsonBytes` (errors first, then data, then extensions).
    @Test func writtenDataIsCompletedInPlaceOrCopied() {
        let data = Array(#"{"a":[1,2],"b":"x"}"#.utf8)
        let written = ExecutionResult.dataOpening + data
        let cases: [ExecutionResult] = [
            ExecutionResult(writtenData: written, dataStart: 8),
            ExecutionResult(writtenData: written, dataStart: 8, extensions: ["cost": .int(3)]),
            ExecutionResult(writtenData: written, dataStart: 8, errors: [GraphQLError("boom")]),
            ExecutionResult(writtenData: data),
        ]
        let texts = cases.map { String(decoding: $0.serialized(), as: UTF8.self) }
        #expect(texts[0] == #"{"data":{"a":[1,2],"b":"x"}}"#)
        #expect(texts[1] == #"{"data":{"a":[1,2],"b":"x"},"extensions":{"cost":3}}"#)
        #expect(texts[2] == #"{"errors":[{"message":"boom"}],"data":{"a":[1,2],"b":"x"}}"#)
        #expect(texts[3] == texts[0])
        for (c, t) in zip(cases, texts) {
            #expect(String(decoding: c.jsonBytes, as: UTF8.self) == t)
            #expect(c.data == (try? JSONReader.parse(data)))
        }
    }
}

@Suite("Batch resolvers")
struct BatchResolverTests {
    /// Calls of the batch resolvers, each with the ids it was given.
    final class Calls: @unchecked Sendable {
        private let seen = Mutex<[String]>([])
        func record(_ s: String) { seen.withLock { $0.append(s) } }
        var all: [String] { seen.withLock { $0 } }
    }

    struct Item: Sendable { let id: Int }

    func schema(_ calls: Calls) throws -> ExecutableSchema<Calls> {
        let schema = try Schema(sdl: """
            type Query { items(n: Int!): [Item!]! one: Item }
            type Item { id: Int! double: Int! label(prefix: String = "#"): String children: [Item!]! failing: Int broken: Int! miscounted: Int }
            """)
        let item = ObjectResolvers<Calls, Item>("Item")
        item.field("id") { i, _, _, _ in .leaf(.int(i.id)) }
            .batchField("double") { items, _, calls, _ in
                calls.record("double \(items.map(\.id))")
                return items.map { .leaf(.int($0.id * 2)) }
            }
            .batchField("label") { items, args, calls, _ in
                calls.record("label \(items.map(\.id))")
                return items.map { .leaf(.string((args.string("prefix") ?? "") + String($0.id))) }
            }
            .batchField("children") { items, _, calls, _ in
                calls.record("children \(items.map(\.id))")
                try await Task.sleep(for: .milliseconds(1))   // truly asynchronous
                return items.map { i in .list([.object(Item(id: i.id * 10), item), .object(Item(id: i.id * 10 + 1), item)]) }
            }
            .batchField("failing") { _, _, _, _ in throw GraphQLError("no luck", code: "NOPE") }
            .batchField("broken") { _, _, _, _ in throw GraphQLError("broken") }
            .batchField("miscounted") { items, _, _, _ in items.dropLast().map { _ in .leaf(.int(1)) } }
        let query = ObjectResolvers<Calls, Void>("Query")
            .field("items") { _, args, _, _ in .list((1...(args.int("n") ?? 0)).map { .object(Item(id: $0), item) }) }
            .asyncField("one") { _, _, _, _ in .object(Item(id: 7), item) }
        return ExecutableSchema<Calls>(schema: schema).root(.query, (), query)
    }

    func run(_ query: String) async throws -> (ExecutionResult, [String]) {
        let calls = Calls()
        let source = Source(query)
        let r = await Executor.execute(try schema(calls), request: ExecutionRequest(document: try Parser.parse(source), source: source), context: calls)
        return (r, calls.all)
    }

    @Test func theObjectsOfALevelAreResolvedInOneCall() async throws {
        let (r, calls) = try await run("{ items(n: 3) { id double children { id double } } one { double } }")
        #expect(r.errors.isEmpty)
        #expect(r.json["data"]?["items"]?.text == #"[{"id":1,"double":2,"children":[{"id":10,"double":20},{"id":11,"double":22}]},{"id":2,"double":4,"children":[{"id":20,"double":40},{"id":21,"double":42}]},{"id":3,"double":6,"children":[{"id":30,"double":60},{"id":31,"double":62}]}]"#)
        #expect(r.json["data"]?["one"]?.text == #"{"double":14}"#)
        // One call per level and selection: the three items, their six children; `one` came
        // from an asynchronous resolver, later, so it is its own batch.
        #expect(calls.filter { $0.hasPrefix("double") }.sorted() == ["double [1, 2, 3]", "double [10, 11, 20, 21, 30, 31]", "double [7]"])
        #expect(calls.filter { $0.hasPrefix("children") } == ["children [1, 2, 3]"])
    }

    @Test func eachSelectionIsItsOwnBatchWithItsOwnArguments() async throws {
        let (r, calls) = try await run(##"{ items(n: 2) { a: label b: label(prefix: "x") } }"##)
        #expect(r.json["data"]?.text == ##"{"items":[{"a":"#1","b":"x1"},{"a":"#2","b":"x2"}]}"##)
        #expect(calls.sorted() == ["label [1, 2]", "label [1, 2]"])
    }

    @Test func aFailingBatchIsEveryObjectsErrorAtItsOwnPath() async throws {
        let (r, _) = try await run("{ items(n: 2) { id failing miscounted } }")
        #expect(r.json["data"]?.text == #"{"items":[{"id":1,"failing":null,"miscounted":null},{"id":2,"failing":null,"miscounted":null}]}"#)
        let failing = r.errors.filter { $0.message == "no luck" }
        #expect(failing.compactMap(\.path) == [[.key("items"), .index(0), .key("failing")], [.key("items"), .index(1), .key("failing")]])
        #expect(failing.allSatisfy { $0.code == "NOPE" && !$0.locations.isEmpty })
        #expect(r.errors.filter { $0.message.contains("returned 1 values for 2 objects") }.count == 2)
        // A non-null field's failure nulls its parent, up to the nearest nullable position.
        let (nonNull, _) = try await run("{ one { id broken } }")
        #expect(nonNull.json.text == #"{"errors":[{"message":"broken","locations":[{"line":1,"column":12}],"path":["one","broken"]}],"data":{"one":null}}"#)
    }
}
