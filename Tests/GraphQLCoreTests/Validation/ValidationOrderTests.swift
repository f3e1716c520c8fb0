import GraphQLCore
import Testing

/// Errors of different rules in one document come in graphql-js 16's order: one walk, each
/// rule reporting where graphql-js's does — required arguments when the walk leaves the field or
/// directive, unused and undefined variables when it leaves the operation, fragment cycles when it
/// enters the fragment, a lone anonymous operation when it enters the operation, an input object's
/// missing fields before its fields' own errors. The expected lists are graphql-core 3.2.8's
/// (probe 38B).
@Suite struct ValidationOrderTests {
    func all(_ query: String) throws -> [Expected] {
        let source = Source(query)
        return Validator.validate(schema: validationSchema, document: try Parser.parse(source), source: source)
            .map { e in Expected(e.message, e.locations.map { ($0.line, $0.column) }) }
    }

    @Test func aFieldsMissingArgumentAfterItsUnknownOne() throws {
        #expect(try all("{ complicatedArgs { multipleReqs(req1: 1, reqq: 2) } }") == [
            Expected("Unknown argument \"reqq\" on field \"ComplicatedArgs.multipleReqs\". Did you mean \"req1\" or \"req2\"?", [(1, 43)]),
            Expected("Field \"multipleReqs\" argument \"req2\" of type \"Int!\" is required, but it was not provided.", [(1, 21)]),
        ])
        #expect(try all("{ dog @skip(iff: true) { name } }") == [
            Expected("Unknown argument \"iff\" on directive \"@skip\". Did you mean \"if\"?", [(1, 13)]),
            Expected("Directive \"@skip\" argument \"if\" of type \"Boolean!\" is required, but it was not provided.", [(1, 7)]),
        ])
    }

    @Test func anOperationsVariablesBeforeTheDocumentsFragments() throws {
        #expect(try all("query A($a: Int) { dog { ...F } } fragment F on Dog { name } fragment G on Dog { name }") == [
            Expected("Variable \"$a\" is never used in operation \"A\".", [(1, 9)]),
            Expected("Fragment \"G\" is never used.", [(1, 62)]),
        ])
    }

    @Test func loneAnonymousOperationsWhereTheyStand() throws {
        #expect(try all("{ dog { name } } { dog { nam } }") == [
            Expected("This anonymous operation must be the only defined operation.", [(1, 1)]),
            Expected("This anonymous operation must be the only defined operation.", [(1, 18)]),
            Expected("Cannot query field \"nam\" on type \"Dog\". Did you mean \"name\"?", [(1, 26)]),
        ])
    }

    @Test func anInputObjectsMissingFieldsBeforeItsUnknownOnes() throws {
        #expect(try all("{ complicatedArgs { complexArgField(complexArg: {nope: 1}) } }") == [
            Expected("Field \"ComplexInput.requiredField\" of required type \"Boolean!\" was not provided.", [(1, 49)]),
            Expected("Field \"nope\" is not defined by type \"ComplexInput\".", [(1, 50)]),
        ])
    }

    @Test func aFragmentsCycleBeforeItsUnknownSpreads() throws {
        #expect(try all("{ dog { ...A } } fragment A on Dog { ...Missing ...A }") == [
            Expected("Cannot spread fragment \"A\" within itself.", [(1, 49)]),
            Expected("Unknown fragment \"Missing\".", [(1, 41)]),
        ])
    }
}
