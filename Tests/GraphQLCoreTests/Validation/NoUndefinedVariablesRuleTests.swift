import GraphQLCore
import Testing

@Suite struct NoUndefinedVariablesRuleTests {
    @Test func definedThroughFragments() throws {
        try expectValid(NoUndefinedVariablesRule.self, "query Q($a: Boolean) { dog { ...F } } fragment F on Dog { isHouseTrained(atOtherHomes: $a) }")
    }
    /// Operations spreading one fragment tree: each is checked against its own definitions.
    @Test func eachOperationSpreadingOneTreeIsCheckedOnItsOwn() throws {
        try expectInvalid(NoUndefinedVariablesRule.self, """
            query A($a: Boolean) { dog { ...F } }
            query B { dog { ...F } }
            query C($a: Boolean) { dog { ...G ...F } }
            fragment F on Dog { ...G }
            fragment G on Dog { isHouseTrained(atOtherHomes: $a) }
            """, [
            Expected("Variable \"$a\" is not defined by operation \"B\".", [(5, 50), (2, 1)]),
        ])
    }
    @Test func undefinedInOperationAndFragment() throws {
        try expectInvalid(NoUndefinedVariablesRule.self, "query Q { dog { isHouseTrained(atOtherHomes: $a) ...F } }\nfragment F on Dog { name(surname: $b) }", [
            Expected("Variable \"$a\" is not defined by operation \"Q\".", [(1, 46), (1, 1)]),
            Expected("Variable \"$b\" is not defined by operation \"Q\".", [(2, 35), (1, 1)]),
        ])
    }
    /// Each use of an undefined variable is an error of its own (graphql-js).
    @Test func eachUseIsAnError() throws {
        try expectInvalid(NoUndefinedVariablesRule.self, "query Q { dog { isHouseTrained(atOtherHomes: $a) name(surname: $a) } }", [
            Expected("Variable \"$a\" is not defined by operation \"Q\".", [(1, 46), (1, 1)]),
            Expected("Variable \"$a\" is not defined by operation \"Q\".", [(1, 64), (1, 1)]),
        ])
    }
    /// A fragment definition's directives are its own: their variables are the operation's uses.
    @Test func variablesInAFragmentDefinitionsDirectivesAreUses() throws {
        try expectInvalid(NoUndefinedVariablesRule.self, "query Q($v: Boolean!) { dog { ...F } } fragment F on Dog @onFragment(if: $w) { name }", [
            Expected("Variable \"$w\" is not defined by operation \"Q\".", [(1, 74), (1, 1)]),
        ])
        try expectValid(NoUnusedVariablesRule.self, "query Q($v: Boolean!) { dog { ...F } } fragment F on Dog @onFragment(if: $v) { name }")
    }
}
