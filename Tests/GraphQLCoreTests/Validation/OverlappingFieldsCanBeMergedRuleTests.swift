import GraphQLCore
import Testing

@Suite struct OverlappingFieldsCanBeMergedRuleTests {
    @Test func identicalAndDisjointFields() throws {
        try expectValid(OverlappingFieldsCanBeMergedRule.self, """
            { dog { name name otherName: nickname doesKnowCommand(dogCommand: SIT) doesKnowCommand(dogCommand: SIT) ...F }
              pet { ... on Dog { name: nickname } ... on Cat { name } } }
            fragment F on Dog { name }
            """)
    }
    @Test func differentFieldsUnderOneAlias() throws {
        try expectInvalid(OverlappingFieldsCanBeMergedRule.self, "{ dog { name: nickname name } }", [
            Expected("Fields \"name\" conflict because \"nickname\" and \"name\" are different fields. Use different aliases on the fields to fetch both if this was intentional.", [(1, 9), (1, 24)]),
        ])
    }
    /// Two string values that differ only in Unicode normalization ("\u00E9", "e\u0301") are
    /// two values (graphql-js compares them by code units): merged, the second was dropped.
    @Test func stringArgumentsThatDifferOnlyInUnicodeNormalizationDiffer() throws {
        try expectInvalid(OverlappingFieldsCanBeMergedRule.self, #"{ complicatedArgs { stringArgField(stringArg: "\u00E9") stringArgField(stringArg: "e\u0301") } }"#, [
            Expected("Fields \"stringArgField\" conflict because they have differing arguments. Use different aliases on the fields to fetch both if this was intentional.", [(1, 21), (1, 57)]),
        ])
        try expectValid(OverlappingFieldsCanBeMergedRule.self, #"{ complicatedArgs { stringArgField(stringArg: "\u00E9") stringArgField(stringArg: "\u00E9") } }"#)
    }
    @Test func differingArguments() throws {
        try expectInvalid(OverlappingFieldsCanBeMergedRule.self, "{ dog { doesKnowCommand(dogCommand: SIT) doesKnowCommand(dogCommand: HEEL) } }", [
            Expected("Fields \"doesKnowCommand\" conflict because they have differing arguments. Use different aliases on the fields to fetch both if this was intentional.", [(1, 9), (1, 42)]),
        ])
    }
    /// Each conflicting pair is an error of its own, in the fields' order (graphql-js's count);
    /// identical fields among them add pairs, not comparisons of their own.
    @Test func everyConflictingPairIsReported() throws {
        let message = "Fields \"doesKnowCommand\" conflict because they have differing arguments. Use different aliases on the fields to fetch both if this was intentional."
        try expectInvalid(OverlappingFieldsCanBeMergedRule.self,
                          "{ dog { doesKnowCommand(dogCommand: SIT) doesKnowCommand(dogCommand: HEEL) doesKnowCommand(dogCommand: DOWN) } }", [
            Expected(message, [(1, 9), (1, 42)]), Expected(message, [(1, 9), (1, 76)]), Expected(message, [(1, 42), (1, 76)]),
        ])
        try expectInvalid(OverlappingFieldsCanBeMergedRule.self,
                          "{ dog { doesKnowCommand(dogCommand: SIT) doesKnowCommand(dogCommand: SIT) doesKnowCommand(dogCommand: DOWN) } }", [
            Expected(message, [(1, 9), (1, 75)]), Expected(message, [(1, 42), (1, 75)]),
        ])
    }
    @Test func conflictingReturnTypesOnDifferentParents() throws {
        try expectInvalid(OverlappingFieldsCanBeMergedRule.self, "{ pet { ... on Dog { x: barkVolume } ... on Cat { x: nickname } } }", [
            Expected("Fields \"x\" conflict because they return conflicting types \"Int\" and \"String\". Use different aliases on the fields to fetch both if this was intentional.", [(1, 22), (1, 51)]),
        ])
    }
    @Test func conflictingSubfieldsThroughAFragment() throws {
        try expectInvalid(OverlappingFieldsCanBeMergedRule.self, "{ dog { mother { name } ...F } }\nfragment F on Dog { mother { name: nickname } }", [
            Expected("Fields \"mother\" conflict because subfields \"name\" conflict because \"name\" and \"nickname\" are different fields. Use different aliases on the fields to fetch both if this was intentional.", [(1, 9), (1, 18), (2, 21), (2, 30)]),
        ])
    }
    /// Every subfield key that conflicts is in the reason (graphql-js: "… and subfields …"),
    /// with the locations of one side from the top down, then the other's.
    @Test func everyConflictingSubfieldIsInTheReason() throws {
        try expectInvalid(OverlappingFieldsCanBeMergedRule.self, "{ field { x: a y: c } field { x: b y: d } }", [
            Expected("Fields \"field\" conflict because subfields \"x\" conflict because \"a\" and \"b\" are different fields and subfields \"y\" conflict because \"c\" and \"d\" are different fields. Use different aliases on the fields to fetch both if this was intentional.",
                     [(1, 3), (1, 11), (1, 16), (1, 23), (1, 31), (1, 36)]),
        ])
    }
    /// Three fields whose subfields conflict: each pair is an error (graphql-js).
    @Test func eachPairOfFieldsWithConflictingSubfieldsIsAnError() throws {
        try expectInvalid(OverlappingFieldsCanBeMergedRule.self, "{ dog { x: name } dog { x: nickname } dog { x: barkVolume } }", [
            Expected("Fields \"dog\" conflict because subfields \"x\" conflict because \"name\" and \"nickname\" are different fields. Use different aliases on the fields to fetch both if this was intentional.", [(1, 3), (1, 9), (1, 19), (1, 25)]),
            Expected("Fields \"dog\" conflict because subfields \"x\" conflict because \"name\" and \"barkVolume\" are different fields. Use different aliases on the fields to fetch both if this was intentional.", [(1, 3), (1, 9), (1, 39), (1, 45)]),
            Expected("Fields \"dog\" conflict because subfields \"x\" conflict because \"nickname\" and \"barkVolume\" are different fields. Use different aliases on the fields to fetch both if this was intentional.", [(1, 19), (1, 25), (1, 39), (1, 45)]),
        ])
    }
    /// A fragment spread on both sides is not compared with itself: its own conflict is reported
    /// once, where its selection set is (graphql-js).
    @Test func aFragmentSpreadTwiceIsNotComparedWithItself() throws {
        try expectInvalid(OverlappingFieldsCanBeMergedRule.self, "{ dog { ...F } dog { ...F } } fragment F on Dog { x: name x: nickname }", [
            Expected("Fields \"x\" conflict because \"name\" and \"nickname\" are different fields. Use different aliases on the fields to fetch both if this was intentional.", [(1, 51), (1, 59)]),
        ])
    }
    /// Identical fields from many fragments are one group: 64 fragments spreading `name` hid a
    /// `name: nickname` after them from the groups compared (review of session 50).
    @Test func identicalFieldsFromManyFragmentsHideNoConflict() throws {
        let spreads = (0..<70).map { "...F\($0)" }.joined(separator: " ")
        let fragments = (0..<70).map { "fragment F\($0) on Dog { name }" }.joined(separator: "\n")
        let errors = Validator.validate(schema: validationSchema, document: try Parser.parse("{ dog { \(spreads) name: nickname } }\n" + fragments))
        #expect(!errors.isEmpty && errors.allSatisfy { $0.message.hasPrefix("Fields \"name\" conflict because \"name\" and \"nickname\" are different fields") },
                "\(errors.prefix(3).map(\.message))")
        try expectValid(OverlappingFieldsCanBeMergedRule.self, "{ dog { \(spreads) name } }\n" + fragments)
    }
    /// Fields under conditions on 70 object types (a `Node` with that many) do not hide two
    /// conflicting fields written on the interface after them (probe 51C: only the first 64
    /// distinct fields were compared).
    @Test func manyTypeConditionsHideNoConflict() throws {
        let types = (0..<70).map { "type T\($0) implements Node { id: ID! kids(first: Int): [Node] }" }.joined(separator: "\n")
        let schema = try Schema(sdl: "type Query { node: Node }\ninterface Node { id: ID! kids(first: Int): [Node] }\n" + types)
        let conditions = (0..<70).map { "... on T\($0) { kids(first: 1) { id } }" }.joined(separator: " ")
        let errors = Validator.validate(schema: schema, document: try Parser.parse("{ node { \(conditions) kids(first: 1) { id } kids(first: 40) { id } } }"))
        #expect(errors.contains { $0.message.hasPrefix("Fields \"kids\" conflict because they have differing arguments") }, "\(errors.map(\.message))")
        #expect(Validator.validate(schema: schema, document: try Parser.parse("{ node { \(conditions) kids(first: 1) { id } } }")).isEmpty)
        // Nor two fields under one of those conditions, after the 64 compared pairwise; nor a
        // field of another shape under a condition of its own.
        for (extra, reason) in [("... on T5 { kids(first: 2) { id } }", "they have differing arguments"),
                                ("... on T6 { kids: id }", "they return conflicting types")] {
            let more = Validator.validate(schema: schema, document: try Parser.parse("{ node { \(conditions) \(extra) } }"))
            #expect(more.contains { $0.message.hasPrefix("Fields \"kids\" conflict because \(reason)") }, "\(more.map(\.message))")
        }
        // Nor subfields two levels down, behind 64 parents with an abstract level (probe 51E):
        // T64's `kids.kids(first: 2)` and the direct `kids { ... on T5 { kids(first: 1) } }`.
        let deep = (0..<64).map { "... on T\($0) { kids(first: 9) { kids(first: 1) { id } } }" }.joined(separator: " ")
            + " ... on T64 { kids(first: 9) { kids(first: 2) { id } } } kids(first: 9) { ... on T5 { kids(first: 1) { id } } }"
        let nested = Validator.validate(schema: schema, document: try Parser.parse("{ node { \(deep) } }"))
        #expect(nested.contains { $0.message.contains("subfields \"kids\" conflict because they have differing arguments") }, "\(nested.map(\.message))")
    }

    /// `__typename` has no definition among a type's fields, so no type to compare: aliased beside
    /// a field of another type under another object type, it does not conflict (graphql-js).
    @Test func typenameHasNoTypeToConflictWith() throws {
        try expectValid(OverlappingFieldsCanBeMergedRule.self, "{ pet { ... on Dog { x: __typename } ... on Cat { x: name } } }")
        try expectInvalid(OverlappingFieldsCanBeMergedRule.self, "{ dog { x: __typename x: name } }", [
            Expected("Fields \"x\" conflict because \"__typename\" and \"name\" are different fields. Use different aliases on the fields to fetch both if this was intentional.", [(1, 9), (1, 23)]),
        ])
    }

    @Test func inputObjectArgumentsAreTheSameWhateverTheirFieldOrder() throws {
        try expectValid(OverlappingFieldsCanBeMergedRule.self, """
            { complicatedArgs { complexArgField(complexArg: {requiredField: true, intField: 1, stringListField: ["a"]})
                                complexArgField(complexArg: {stringListField: ["a"], intField: 1, requiredField: true}) } }
            """)
        try expectInvalid(OverlappingFieldsCanBeMergedRule.self,
                          "{ complicatedArgs { complexArgField(complexArg: {requiredField: true}) complexArgField(complexArg: {requiredField: false}) } }", [
            Expected("Fields \"complexArgField\" conflict because they have differing arguments. Use different aliases on the fields to fetch both if this was intentional.", [(1, 21), (1, 72)]),
        ])
    }
    /// Below fields of mutually exclusive parents (different object types) only the shapes must
    /// agree, at every depth (§5.3.2: SameResponseShape, then FieldsInSetCanMerge only where the
    /// parents may be the same object).
    @Test func subfieldsOfMutuallyExclusiveParentsNeedOnlyTheSameShape() throws {
        let schema = try Schema(sdl: """
            type Query { animals: [Animal] }
            interface Animal { name: String }
            type Person { name: String greeting(prefix: String): String best: Person }
            type Dog implements Animal { name: String owner: Person }
            type Cat implements Animal { name: String owner: Person }
            """)
        func errors(_ q: String) throws -> [String] { Validator.validate(schema: schema, document: try Parser.parse(q)).map(\.message) }
        #expect(try errors(#"{ animals { ... on Dog { owner { g: greeting(prefix: "a") } } ... on Cat { owner { g: greeting(prefix: "b") } } } }"#) == [])
        #expect(try errors("{ animals { ... on Dog { owner { x: name } } ... on Cat { owner { x: greeting } } } }") == [])
        #expect(try errors("{ animals { ... on Dog { owner { best { n: name } } } ... on Cat { owner { best { n: greeting } } } } }") == [])
        #expect(try errors("{ animals { ...D ...C } } fragment D on Dog { owner { x: name } } fragment C on Cat { owner { x: greeting } }") == [])
        // The same parent type: the subfields must be the same field.
        #expect(try errors("{ animals { ... on Dog { owner { x: name } } ... on Dog { owner { x: greeting } } } }").count == 1)
        // Different shapes stay a conflict below exclusive parents.
        #expect(try errors("{ animals { ... on Dog { owner { x: name } } ... on Cat { owner { x: best { name } } } } }").count == 1)
    }
    /// Selection sets of the same spreads alone are compared once; a set spreading more is its own.
    @Test func setsOfSpreadsAloneAreComparedOnceAndOthersStill() throws {
        #expect(try errors(OverlappingFieldsCanBeMergedRule.self, """
            query A { dog { ...F ...G } } query B { dog { ...F ...G } }
            fragment F on Dog { x: name } fragment G on Dog { x: barks }
            """).count == 1)
        try expectInvalid(OverlappingFieldsCanBeMergedRule.self, """
            query A { dog { ...F } } query B { dog { ...F ...G } }
            fragment F on Dog { x: name } fragment G on Dog { x: nickname }
            """, [
            Expected("Fields \"x\" conflict because \"name\" and \"nickname\" are different fields. Use different aliases on the fields to fetch both if this was intentional.", [(2, 21), (2, 51)]),
        ])
    }
    /// (A quadratic comparison would take minutes here: the time limit is what catches it; speed
    /// itself is measured in Benchmarks/, not here.)
    @Test(.timeLimit(.minutes(1))) func tenThousandRepeatedFieldsAreLinear() throws {
        let query = "{ dog { " + String(repeating: "__typename ", count: 10_000) + "} }"
        let doc = try Parser.parse(query, options: ParserOptions(maxTokens: nil))
        #expect(Validator.validate(schema: validationSchema, document: doc).isEmpty)
    }
    /// Two fields of one origin spreading one fragment, the fragment doing the same a level down:
    /// their subfields were gathered once per path, doubling at every level (probe 53C: 13 levels
    /// cost 1.6 s of a debug gateway, 40 would outlast the time limit by years).
    @Test(.timeLimit(.minutes(1))) func twoFieldsSpreadingOneFragmentPerLevelAreNotExponential() throws {
        var q = "{ human { ...F0 } }\n"
        for i in 0..<40 { q += "fragment F\(i) on Human { relatives { relatives { ...F\(i + 1) } } relatives { relatives { ...F\(i + 1) } } }\n" }
        q += "fragment F40 on Human { name }\n"
        let doc = try Parser.parse(q, options: ParserOptions(maxTokens: nil, maxDepth: 1_000))
        #expect(Validator.validate(schema: validationSchema, document: doc).isEmpty)
        // A conflict at the bottom is still found, once.
        let bad = q.replacingOccurrences(of: "fragment F40 on Human { name }", with: "fragment F40 on Human { name n: name name: relatives { name } }")
        let found = Validator.validate(schema: validationSchema, document: try Parser.parse(bad, options: ParserOptions(maxTokens: nil, maxDepth: 1_000)))
        #expect(found.count == 1 && found[0].message.hasPrefix("Fields \"name\" conflict"), "\(found.map(\.message))")
    }

    /// A fragment reaching one field through two type conditions, spread from two fields, each
    /// level the same: the two copies came through one fragment (its own pair, compared where it is
    /// defined), so their subfields are not followed — following them doubled the entries at each
    /// level inside one comparison, where no budget was checked (review of session 53).
    @Test(.timeLimit(.minutes(1))) func aFragmentReachingOneFieldTwiceIsNotFollowedIntoItself() throws {
        var q = "{ dog { ...F0 } dog { ...F0 } }\n"
        for i in 0..<30 { q += "fragment F\(i) on Dog { ... on Mammal { m: mother { ...F\(i + 1) } } ... on Canine { m: mother { ...F\(i + 1) } } }\n" }
        q += "fragment F30 on Dog { name }\n"
        let doc = try Parser.parse(q, options: ParserOptions(maxTokens: nil, maxDepth: 1_000))
        #expect(Validator.validate(schema: validationSchema, document: doc).isEmpty)
        // A conflict between the two spreads' neighbours is still found.
        let bad = q.replacingOccurrences(of: "{ dog { ...F0 } dog { ...F0 } }", with: "{ dog { ...F0 x: name } dog { ...F0 x: nickname } }")
        let found = Validator.validate(schema: validationSchema, document: try Parser.parse(bad, options: ParserOptions(maxTokens: nil, maxDepth: 1_000)))
        #expect(found.count == 1 && found[0].message.hasPrefix("Fields \"dog\" conflict because subfields \"x\""), "\(found.map(\.message))")
    }

    /// A chain of fragments each spreading the next beside fields of its own is compared with
    /// everything below it at every link (the square of its length): past a budget of fields
    /// gathered, the document is refused with an error that says so (probe 53C), and a long
    /// chain within it is checked as before.
    @Test(.timeLimit(.minutes(1))) func aFragmentChainPastTheBudgetIsRefusedWithAClearError() throws {
        func chain(_ k: Int) -> String {
            var q = "{ dog { ...F0 } }\n"
            for i in 0..<k { q += "fragment F\(i) on Dog { " + (i + 1 < k ? "...F\(i + 1) " : "") + String(repeating: "name ", count: 18) + "}\n" }
            return q
        }
        let over = Validator.validate(schema: validationSchema, document: try Parser.parse(chain(400), options: ParserOptions(maxTokens: nil, maxDepth: 1_000)))
        #expect(over.count == 1 && over[0].message.hasPrefix("The document is too complex to check that its fields can be merged"), "\(over.map(\.message))")
        #expect(Validator.validate(schema: validationSchema, document: try Parser.parse(chain(60))).isEmpty)
        let conflicting = chain(60).replacingOccurrences(of: "fragment F59 on Dog { ", with: "fragment F59 on Dog { name: barks ")
        #expect(Validator.validate(schema: validationSchema, document: try Parser.parse(conflicting)).count > 0)
    }

    /// Fragments on a cycle through fields are not followed by the merge check (NoFragmentCycles
    /// reports them): comparing the subfields of `relatives { ...B }` and `relatives { ...A }`
    /// followed A and B without end and overflowed the stack (probe 53E: a request crashed the
    /// gateway). graphql-js reports the cycle alone.
    @Test(.timeLimit(.minutes(1))) func fragmentsOnACycleThroughFieldsEndTheComparison() throws {
        for q in ["{ human { ...A ...B } } fragment A on Human { relatives { ...B } } fragment B on Human { relatives { ...A } }",
                  "{ human { ...A } } fragment A on Human { relatives { ...A } relatives { name ...A } }",
                  "{ human { ...C } } fragment C on Human { ...A ...B } fragment A on Human { relatives { ...B } } fragment B on Human { relatives { x: name ...A } }"] {
            let found = Validator.validate(schema: validationSchema, document: try Parser.parse(q)).map(\.message)
            #expect(!found.isEmpty && found.allSatisfy { $0.hasPrefix("Cannot spread fragment") }, "\(q): \(found)")
        }
        // A fragment that only reaches a cycle is still compared where it is spread.
        let beside = "{ human { ...C } } fragment C on Human { x: name relatives { ...A } x: pets { name } } fragment A on Human { relatives { ...A } }"
        let found = Validator.validate(schema: validationSchema, document: try Parser.parse(beside)).map(\.message)
        #expect(found.contains { $0.hasPrefix("Fields \"x\" conflict") }, "\(found)")
    }

    /// A block string is never the same argument as a plain string, whatever their values (as
    /// graphql-js compares printed values): `"""  x"""` against `"  x"` passed (probe 53E),
    /// `"""x"""` against `"x"` did not; two block strings of one value are the same.
    @Test func blockAndPlainStringArgumentsDiffer() throws {
        for (a, b) in [(#""""  x""""#, #""  x""#), (#""""x""""#, #""x""#)] {
            let q = "{ complicatedArgs { s: stringArgField(stringArg: \(a)) s: stringArgField(stringArg: \(b)) } }"
            #expect(try errors(OverlappingFieldsCanBeMergedRule.self, q).count == 1, "\(q)")
        }
        try expectValid(OverlappingFieldsCanBeMergedRule.self, #"{ complicatedArgs { s: stringArgField(stringArg: """x""") s: stringArgField(stringArg: """\#n  x\#n""") } }"#)
        // Two block strings that differ only where one holds an escaped `"""` are two values.
        #expect(try errors(OverlappingFieldsCanBeMergedRule.self, #"{ complicatedArgs { s: stringListArgField(stringListArg: ["""a""", """b"""]) s: stringListArgField(stringListArg: ["""a\""",\"""b"""]) } }"#).count == 1)
    }

    /// A direct conflict of two fields does not hide the conflicting subfields of two others
    /// under the same key (graphql-js reports both; probe 53E).
    @Test func aDirectConflictDoesNotHideASubfieldConflict() throws {
        let found = try errors(OverlappingFieldsCanBeMergedRule.self, "{ a: human { x: name } a: human { x: pets { name } } a: dog { name } }").map(\.message)
        #expect(found.count == 3, "\(found)")
        #expect(found.contains { $0.contains("subfields \"x\" conflict") }, "\(found)")
    }

    /// A conflict inside a fragment is that fragment's own, reported once where it is defined —
    /// not again at every fragment above it that spreads it from two fields (probe 53E: 30 levels,
    /// 30 errors).
    @Test func aFragmentsOwnConflictIsReportedOnce() throws {
        var q = "{ human { ...F0 } }\n"
        for i in 0..<6 { q += "fragment F\(i) on Human { relatives { ...F\(i + 1) } relatives { ...F\(i + 1) } }\n" }
        q += "fragment F6 on Human { x: name x: pets { name } }\n"
        let found = try errors(OverlappingFieldsCanBeMergedRule.self, q)
        #expect(found.count == 1, "\(found.map(\.message))")
    }

    /// (2^20 spread paths, walked, would outlast the time limit.)
    @Test(.timeLimit(.minutes(1))) func exponentialFragmentFanOutIsLinear() throws {
        var q = "{ dog { ...F0 } }\n"
        for i in 0..<20 { q += "fragment F\(i) on Dog { name ...F\(i + 1) ...F\(i + 1) }\n" }
        q += "fragment F20 on Dog { name barks }\n"
        let doc = try Parser.parse(q)
        #expect(Validator.validate(schema: validationSchema, document: doc).isEmpty)
    }
}
