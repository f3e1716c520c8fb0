import GraphQLCore
import Testing

@Suite struct OperationTypeExistenceRuleTests {
    @Test func operationsOfTheSchemasRootTypes() throws {
        try expectValid(OperationTypeExistenceRule.self, "query { dog { name } } mutation M { addDog { name } } subscription S { importantEmails }")
    }
    /// The whole document is invalid, whichever of its operations is run.
    @Test func anOperationTypeTheSchemaHasNoRootFor() throws {
        let found = try errors(OperationTypeExistenceRule.self, "query A { hello }\nmutation B { hello }\nsubscription C { hello }",
                               schema: try Schema(sdl: "type Query { hello: String }"))
        #expect(found == [Expected("The mutation operation is not supported by the schema.", [(2, 1)]),
                          Expected("The subscription operation is not supported by the schema.", [(3, 1)])])
    }
}
