import GraphQLCore
import Testing

@Suite struct VariablesInAllowedPositionRuleTests {
    @Test func allowedPositions() throws {
        try expectValid(VariablesInAllowedPositionRule.self, """
            query Q($b: Boolean!, $i: Int = 1, $s: [String!]) {
              dog { isHouseTrained(atOtherHomes: $b) }
              complicatedArgs { nonNullIntArgField(nonNullIntArg: $i) stringListArgField(stringListArg: $s) }
            }
            """)
    }
    @Test func nullableIntoNonNullAndWrongTypes() throws {
        try expectInvalid(VariablesInAllowedPositionRule.self, "query Q($i: Int, $s: String) {\n  complicatedArgs { nonNullIntArgField(nonNullIntArg: $i) intArgField(intArg: $s) }\n}", [
            Expected("Variable \"$i\" of type \"Int\" used in position expecting type \"Int!\".", [(1, 9), (2, 55)]),
            Expected("Variable \"$s\" of type \"String\" used in position expecting type \"Int\".", [(1, 18), (2, 79)]),
        ])
    }
    /// A field of a OneOf Input Object is a non-null position (§5.8.5 IsNonNullPosition): a
    /// nullable variable there needs a default other than null, as for a non-null argument
    /// (probe 54B: one with a default was refused).
    @Test func aOneOfFieldIsANonNullPosition() throws {
        try expectValid(VariablesInAllowedPositionRule.self, """
            query Q($a: Int!, $b: Int = 3) {
              complicatedArgs { a: oneOfArgField(oneOfArg: {intField: $a}) b: oneOfArgField(oneOfArg: {intField: $b}) }
            }
            """)
        try expectInvalid(VariablesInAllowedPositionRule.self, "query Q($v: Int, $n: Int = null) {\n  complicatedArgs { a: oneOfArgField(oneOfArg: {intField: $v}) b: oneOfArgField(oneOfArg: {intField: $n}) }\n}", [
            Expected("Variable \"$v\" of type \"Int\" used in position expecting type \"Int!\".", [(1, 9), (2, 59)]),
            Expected("Variable \"$n\" of type \"Int\" used in position expecting type \"Int!\".", [(1, 18), (2, 102)]),
        ])
    }
    @Test func checkedThroughFragments() throws {
        try expectInvalid(VariablesInAllowedPositionRule.self, "query Q($b: String) { dog { ...F } }\nfragment F on Dog { isHouseTrained(atOtherHomes: $b) }", [
            Expected("Variable \"$b\" of type \"String\" used in position expecting type \"Boolean\".", [(1, 9), (2, 50)]),
        ])
    }
    /// A variable inside a list or an input object is located at its own `$` (graphql-js); the
    /// same variable twice in one value, each where it is.
    @Test func aVariableInsideAValueIsLocatedAtItself() throws {
        let q = "query Q($i: Int, $s: String) { complicatedArgs { stringListNonNullArgField(stringListNonNullArg: [\"a\", $s, $s]) complexArgField(complexArg: {requiredField: true, stringField: $i}) } }"
        func columns(of part: String) -> [Int] {
            var out: [Int] = []
            var from = q.startIndex
            while let r = q[from...].range(of: part) {
                out.append(r.lowerBound.utf16Offset(in: q) + 1)
                from = r.upperBound
            }
            return out
        }
        let s = columns(of: "$s"), i = columns(of: "$i")
        try expectInvalid(VariablesInAllowedPositionRule.self, q, [
            Expected("Variable \"$s\" of type \"String\" used in position expecting type \"String!\".", [(1, s[0]), (1, s[1])]),
            Expected("Variable \"$s\" of type \"String\" used in position expecting type \"String!\".", [(1, s[0]), (1, s[2])]),
            Expected("Variable \"$i\" of type \"Int\" used in position expecting type \"String\".", [(1, i[0]), (1, i[1])]),
        ])
    }
}
