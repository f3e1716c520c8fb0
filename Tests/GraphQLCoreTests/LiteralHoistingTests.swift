import GraphQLCore
import OrderedCollections
import Testing

@Suite("Literal arguments hoisted into variables")
struct LiteralHoistingTests {
    let schema = try! Schema(sdl: worldSDL)

    func hoist(_ query: String) throws -> LiteralHoisting.Hoisted? {
        LiteralHoisting.hoist(try Parser.parse(query), operationName: nil, schema: schema)
    }

    @Test func operationsThatDifferOnlyInLiteralsShareOneShape() throws {
        let a = try #require(try hoist(#"{ character(id: "1") { name } search(filter: {nameContains: "Lu", episodes: [NEWHOPE]}) { __typename } }"#))
        let b = try #require(try hoist(#"{ character(id: "2") { name } search(filter: {nameContains: "R2", episodes: [JEDI, EMPIRE]}) { __typename } }"#))
        #expect(a.shape == b.shape)
        #expect(a.shape.contains("character(id: $_sy0)") && a.shape.contains("search(filter: $_sy1)"), "\(a.shape)")
        // Values as the executor coerces them: the input object's default filled in, enums as strings.
        #expect(a.values == ["_sy0": "1", "_sy1": ["nameContains": "Lu", "limit": 10, "episodes": ["NEWHOPE"]]])
        #expect(b.values["_sy0"] == "2")
    }

    @Test func directivesVariablesAndEqualValuesAreKeptApart() throws {
        let h = try #require(try hoist(#"""
            query Q($n: Int) { a: character(id: "1") { name } b: character(id: "1") @include(if: true) { id }
                               echo(value: "x", n: $n, list: [1, 2]) lookup(by: {id: "3"}) { name } }
            """#))
        // Equal values of one type are one variable (fields that merged still merge); a
        // directive's literal stays (it decides what is planned); a value holding a variable stays.
        #expect(h.values == ["_sy0": "1", "_sy1": "x", "_sy2": [1, 2], "_sy3": ["id": "3"]])
        #expect(h.shape.contains("@include(if: true)"))
        #expect(h.shape.contains("echo(value: $_sy1, n: $n, list: $_sy2)"), "\(h.shape)")
        #expect(h.shape.contains("query Q($n: Int, $_sy0: ID!, $_sy1: String, $_sy2: [Int], $_sy3: Lookup!)"), "\(h.shape)")
        // A name a client took is not reused.
        let taken = try #require(try hoist(#"query ($_sy0: Int) { echo(value: "y", n: $_sy0) }"#))
        #expect(taken.values == ["_sy1": "y"])
        // Nothing to hoist, several operations, a subscription: no rewrite.
        #expect(try hoist("query ($id: ID!) { character(id: $id) { name } }") == nil)
        #expect(try hoist(#"query A { echo(value: "a") } query B { echo(value: "b") }"#) == nil)
    }

    @Test func aHoistedOperationAnswersAsTheOriginal() async throws {
        let queries = [
            #"{ a: character(id: "1") { name friends { name } } b: character(id: "1") { id } echo(value: "q\"t", f: 2, flag: true) }"#,
            #"{ search(filter: {nameContains: "R", limit: 1}) { ... on Droid { primaryFunction } } lookup(by: {name: "Leia"}) { id } }"#,
            #"{ hero(episode: EMPIRE) { ...F } } fragment F on Character { name friends { ... on Human { homePlanet } } }"#,
            #"mutation { first: append(tag: "one") second: append(tag: "two") }"#,
        ]
        for query in queries {
            let original = try await run(query)
            let h = try #require(try hoist(query), "\(query)")
            let doc = h.document
            let hoisted = await Executor.execute(try makeWorld(), request: ExecutionRequest(document: doc, variables: h.values), context: Log())
            #expect(hoisted.json == original.json, "\(query)\n\(h.shape)")
            #expect(original.errors.isEmpty, "\(original.json.text)")
        }
    }
}
