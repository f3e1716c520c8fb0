import GraphQLCore
import QueryLimits
import Testing

func measure(_ text: String) throws -> OperationMeasure {
    let doc = try Parser.parse(text, options: ParserOptions(maxTokens: nil))
    var fragments: [String: FragmentDefinition] = [:]
    for f in doc.fragments { fragments[f.name.value] = f }
    return OperationMeasure.of(doc.operations[0], fragments: fragments)
}

@Suite("Operation measurements")
struct OperationMeasureTests {
    @Test func countsThroughFragmentsAndInlineFragments() throws {
        let m = try measure("""
            query Q @a { x: me { ...F ... on User @b { name } } other { id } }
            fragment F on User { y: reviews { author { name } } }
            """)
        #expect(m == OperationMeasure(depth: 4, aliases: 2, rootFields: 2, directives: 2, fields: 7))
    }

    @Test func spreadsCountEachTimeButAreMeasuredOnce() throws {
        func fanOut(_ levels: Int) -> String {
            var q = "{ ...F0 }\n"
            for i in 0..<levels { q += "fragment F\(i) on Query { a ...F\(i + 1) ...F\(i + 1) }\n" }
            return q + "fragment F\(levels) on Query { a }\n"
        }
        let forty = try measure(fanOut(40))
        #expect(forty.fields == (1 << 41) - 1, "every spread counts")
        #expect(forty.depth == 1)
        #expect(forty.violation(of: OperationLimits())?.code == "MAX_FIELDS_EXCEEDED")
        #expect(try measure(fanOut(70)).fields == Int.max, "2^71 - 1 saturates instead of overflowing")
    }

    @Test func introspectionCountsInTheDepth() throws {
        #expect(try measure("{ __schema { types { fields { type { ofType { name } } } } } }").depth == 6)
        #expect(try measure("query __schema { a { b { c } } }").depth == 3)
    }

    @Test func cyclesDoNotHang() throws {
        let m = try measure("{ ...A } fragment A on Query { a ...B } fragment B on Query { b ...A }")
        #expect(m.fields == 2)
    }

    @Test func limitsOffAreNotChecked() throws {
        let m = try measure("{ " + (0..<50).map { "a\($0): x" }.joined(separator: " ") + " }")
        #expect(m.violation(of: OperationLimits(maxAliases: nil, maxRootFields: nil)) == nil)
        #expect(m.violation(of: OperationLimits())?.code == "MAX_ALIASES_EXCEEDED")
    }
}
