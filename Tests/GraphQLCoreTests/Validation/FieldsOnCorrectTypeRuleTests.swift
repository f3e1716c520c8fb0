import GraphQLCore
import Testing

@Suite struct FieldsOnCorrectTypeRuleTests {
    @Test func definedFieldsAndTypename() throws {
        try expectValid(FieldsOnCorrectTypeRule.self, "{ dog { name __typename ... on Pet { name } } catOrDog { __typename ... on Cat { meows } } }")
    }
    @Test func unknownFieldsWithSuggestions() throws {
        try expectInvalid(FieldsOnCorrectTypeRule.self, "{ dog { nam meowVolume } catOrDog { name } }", [
            Expected("Cannot query field \"nam\" on type \"Dog\". Did you mean \"name\"?", [(1, 9)]),
            Expected("Cannot query field \"meowVolume\" on type \"Dog\". Did you mean \"barkVolume\"?", [(1, 13)]),
            // The interfaces that have it too, the most common first (Pet: Cat and Dog), an
            // interface before the types implementing it (Canine, Dog), then by name (graphql-js).
            Expected("Cannot query field \"name\" on type \"CatOrDog\". Did you mean to use an inline fragment on \"Pet\", \"Canine\", \"Cat\", or \"Dog\"?", [(1, 37)]),
        ])
    }
    @Test func suggestionsNameNumbersInTheirOrder() {
        #expect(Suggestions.naturalCompare("a9", "a10") < 0 && Suggestions.naturalCompare("a10", "a9") > 0)
        #expect(Suggestions.naturalCompare("Cat", "Canine") > 0 && Suggestions.naturalCompare("a", "a") == 0 && Suggestions.naturalCompare("a", "ab") < 0)
        // Runs of digits past an `Int` (a schema's names) are compared, not a trap.
        #expect(Suggestions.naturalCompare("V12345678901234567890", "V12345678901234567899") <= 0
                && Suggestions.naturalCompare("V200000000000000000000", "V1000000000000000000000") < 0)
    }
    @Test func noSuggestionsWhenIntrospectionIsOff() throws {
        let schema = try Schema(sdl: validationSDL, introspection: false)
        #expect(try errors(FieldsOnCorrectTypeRule.self, "{ dog { nam } }", schema: schema) == [
            Expected("Cannot query field \"nam\" on type \"Dog\".", [(1, 9)]),
        ])
    }
}
