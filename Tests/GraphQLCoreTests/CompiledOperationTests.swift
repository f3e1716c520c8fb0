import GraphQLCore
import OrderedCollections
import Testing

/// An operation run again and again keeps its field plans (`CompiledOperation`): each run must
/// answer as a run without them would, with its own variables and its own context.
@Suite("Compiled operations")
struct CompiledOperationTests {
    func execute(_ executable: ExecutableSchema<Log>, _ document: Document, _ compiled: CompiledOperation?,
                 variables: OrderedDictionary<String, JSON> = [:], log: Log = Log()) async -> String {
        var request = ExecutionRequest(document: document, variables: variables)
        request.compiled = compiled
        return await Executor.execute(executable, request: request, context: log).json.text
    }

    @Test func reusedPlansAnswerEachRunWithItsOwnVariables() async throws {
        let executable = try makeWorld()
        let document = try Parser.parse("""
            query($id: ID!, $f: Filter) { character(id: $id) { name friends { name ... on Droid { primaryFunction } ... on Human { homePlanet } } }
              search(filter: $f) { __typename ... on Character { name } } hero { name } echo(value: "x", n: 2) bad: character(id: $id) { id } }
            """)
        let compiled = CompiledOperation(document)
        #expect(compiled.reusable)
        let runs: [OrderedDictionary<String, JSON>] = [
            ["id": "1", "f": ["nameContains": "L"]], ["id": "3", "f": .null], ["id": "2", "f": ["limit": 1]], ["id": "1"],
            ["id": .null], [:], ["id": "3", "f": ["limit": "many"]],
        ]
        for variables in runs + runs {
            let expected = await execute(executable, document, nil, variables: variables)
            #expect(await execute(executable, document, compiled, variables: variables) == expected)
        }
        // Runs at the same time each take plans of their own.
        let answers = await withTaskGroup(of: (Int, String).self) { group in
            for i in 0..<32 {
                group.addTask { (i, await execute(executable, document, compiled, variables: runs[i % runs.count])) }
            }
            var out: [Int: String] = [:]
            for await (i, text) in group { out[i] = text }
            return out
        }
        for i in 0..<32 { #expect(answers[i] == (await execute(executable, document, nil, variables: runs[i % runs.count]))) }
    }

    @Test func reusedPlansResolveWithEachRunsContext() async throws {
        let executable = try makeWorld()
        let document = try Parser.parse(#"mutation { first: append(tag: "a") second: append(tag: "b") }"#)
        let compiled = CompiledOperation(document)
        for _ in 0..<3 {
            let log = Log()
            #expect(await execute(executable, document, compiled, log: log) == #"{"data":{"first":["a"],"second":["a","b"]}}"#)
            #expect(log.entries == ["a", "b"])
        }
    }

    @Test func anOperationAVariableCanReshapeIsCollectedEachRun() async throws {
        let executable = try makeWorld()
        let document = try Parser.parse("query($on: Boolean!) { hero { name id @include(if: $on) } }")
        let compiled = CompiledOperation(document)
        #expect(!compiled.reusable)
        #expect(await execute(executable, document, compiled, variables: ["on": true]) == #"{"data":{"hero":{"name":"R2-D2","id":"2"}}}"#)
        #expect(await execute(executable, document, compiled, variables: ["on": false]) == #"{"data":{"hero":{"name":"R2-D2"}}}"#)
    }
}
