import GraphQLCore
import Testing

@Suite struct ValuesOfCorrectTypeRuleTests {
    @Test func goodValues() throws {
        try expectValid(ValuesOfCorrectTypeRule.self, """
            { complicatedArgs { intArgField(intArg: 2) floatArgField(floatArg: 1) idArgField(idArg: 1) enumArgField(enumArg: TAN)
              stringListArgField(stringListArg: "one") complexArgField(complexArg: {requiredField: false, stringListField: ["a"]})
              oneOfArgField(oneOfArg: {intField: 3}) } }
            """)
    }
    @Test func badScalars() throws {
        try expectInvalid(ValuesOfCorrectTypeRule.self, "{ complicatedArgs { intArgField(intArg: 1.5) stringArgField(stringArg: 1) booleanArgField(booleanArg: \"true\") } }", [
            Expected("Int cannot represent non-integer value: 1.5", [(1, 41)]),
            Expected("String cannot represent a non string value: 1", [(1, 72)]),
            Expected("Boolean cannot represent a non boolean value: \"true\"", [(1, 103)]),
        ])
        try expectInvalid(ValuesOfCorrectTypeRule.self, "{ complicatedArgs { intArgField(intArg: 3000000000) } }", [
            Expected("Int cannot represent non 32-bit signed integer value: 3000000000", [(1, 41)]),
        ])
    }
    @Test func badEnumsAndNulls() throws {
        try expectInvalid(ValuesOfCorrectTypeRule.self, "{ complicatedArgs { enumArgField(enumArg: \"TAN\") nonNullIntArgField(nonNullIntArg: null) } dog { doesKnowCommand(dogCommand: sit) } }", [
            Expected("Enum \"FurColor\" cannot represent non-enum value: \"TAN\". Did you mean the enum value \"TAN\"?", [(1, 43)]),
            Expected("Expected value of type \"Int!\", found null.", [(1, 84)]),
            Expected("Value \"sit\" does not exist in \"DogCommand\" enum. Did you mean the enum value \"SIT\"?", [(1, 126)]),
        ])
    }
    @Test func badInputObjects() throws {
        try expectInvalid(ValuesOfCorrectTypeRule.self, "{ complicatedArgs { complexArgField(complexArg: {intField: 4, unknown: 1}) } }", [
            // The object's missing field first, then its fields' errors (graphql-js's order).
            Expected("Field \"ComplexInput.requiredField\" of required type \"Boolean!\" was not provided.", [(1, 49)]),
            Expected("Field \"unknown\" is not defined by type \"ComplexInput\".", [(1, 63)]),
        ])
    }
    @Test func oneOf() throws {
        try expectInvalid(ValuesOfCorrectTypeRule.self, "{ complicatedArgs { oneOfArgField(oneOfArg: {intField: 1, stringField: \"a\"}) } }", [
            Expected("OneOf Input Object \"OneOfInput\" must specify exactly one key.", [(1, 45)]),
        ])
        try expectInvalid(ValuesOfCorrectTypeRule.self, "{ complicatedArgs { oneOfArgField(oneOfArg: {intField: null}) } }", [
            Expected("Field \"OneOfInput.intField\" must be non-null.", [(1, 45)]),
        ])
        // A variable's nullability there is VariablesInAllowedPositionRule's (§5.8.5 IsNonNullPosition).
        try expectValid(ValuesOfCorrectTypeRule.self, "query Q($v: Int) { complicatedArgs { oneOfArgField(oneOfArg: {intField: $v}) } }")
    }
    /// An error inside a list or an input object is located at the value that is wrong, and
    /// one in a variable's default at the default (graphql-js), not at the argument or the
    /// variable.
    @Test func errorsAreLocatedAtTheValueThatIsWrong() throws {
        func column(_ part: String, in q: String, after: String = "") -> Int {
            let from = after.isEmpty ? q.startIndex : q.range(of: after)!.upperBound
            return q[from...].range(of: part)!.lowerBound.utf16Offset(in: q) + 1
        }
        let list = #"{ complicatedArgs { stringListNonNullArgField(stringListNonNullArg: ["a", null, 3]) } }"#
        try expectInvalid(ValuesOfCorrectTypeRule.self, list, [
            Expected("Expected value of type \"String!\", found null.", [(1, column("null", in: list))]),
            Expected("String cannot represent a non string value: 3", [(1, column("3]", in: list))]),
        ])
        let object = #"{ complicatedArgs { complexArgField(complexArg: {requiredField: true, stringListField: ["a", [1]], intField: "x"}) } }"#
        try expectInvalid(ValuesOfCorrectTypeRule.self, object, [
            Expected("String cannot represent a non string value: [1]", [(1, column("[1]", in: object))]),
            Expected("Int cannot represent non-integer value: \"x\"", [(1, column(#""x""#, in: object))]),
        ])
        let nested = "{ complicatedArgs { complexArgField(complexArg: {requiredField: true, intField: 1.5}) } }"
        try expectInvalid(ValuesOfCorrectTypeRule.self, nested, [
            Expected("Int cannot represent non-integer value: 1.5", [(1, column("1.5", in: nested))]),
        ])
        let defaults = #"query Q($a: Int = "one", $b: [String!] = ["x", null]) { dog { name } }"#
        try expectInvalid(ValuesOfCorrectTypeRule.self, defaults, [
            Expected("Int cannot represent non-integer value: \"one\"", [(1, column(#""one""#, in: defaults))]),
            Expected("Expected value of type \"String!\", found null.", [(1, column("null", in: defaults))]),
        ])
    }
}
