import GraphQLCore
import Testing

@Suite struct ExecutableDefinitionsRuleTests {
    @Test func onlyOperationsAndFragments() throws {
        try expectValid(ExecutableDefinitionsRule.self, "query Foo { dog { name } } fragment F on Dog { name }")
    }
    @Test func typeAndSchemaDefinitionsAreNotExecutable() throws {
        try expectInvalid(ExecutableDefinitionsRule.self, "query Foo { dog { name } }\ntype Cow { name: String }\nextend type Dog { color: String }\nschema { query: QueryRoot }\nextend schema @onField", [
            Expected("The \"Cow\" definition is not executable.", [(2, 1)]),
            Expected("The \"Dog\" definition is not executable.", [(3, 1)]),
            Expected("The schema definition is not executable.", [(4, 1)]),
            Expected("The schema definition is not executable.", [(5, 1)]), // graphql-js says so of an extension too
        ])
    }
}
