import GraphQLCore
import Testing

struct Collect: ASTVisitor {
    var events: [String] = []
    var skipArguments = false
    mutating func enter(_ node: ASTNode) -> VisitAction {
        switch node {
        case .field(let f):
            events.append("enter \(f.name.value)")
            if f.name.value == "stop" { return .stop }
        case .fragmentSpread(let s): events.append("spread \(s.name.value)")
        case .argument(let a):
            events.append("arg \(a.name.value)")
            if skipArguments { return .skip }
        case .value(let v): events.append("value \(Printer.print(v))")
        case .directive(let d): events.append("@\(d.name.value)")
        default: break
        }
        return .continue
    }
    mutating func leave(_ node: ASTNode) {
        if case .field(let f) = node { events.append("leave \(f.name.value)") }
    }
}

@Suite("Visitor and schema printing")
struct VisitorAndSchemaPrintingTests {
    @Test func visitsInDocumentOrderWithEnterAndLeave() throws {
        var v = Collect()
        walk(try Parser.parse("{ a(x: [1, 2]) { b @skip(if: true) ...F } } fragment F on T { c }"), with: &v)
        #expect(v.events == ["enter a", "arg x", "value [1, 2]", "value 1", "value 2", "enter b", "@skip", "arg if", "value true",
                             "leave b", "spread F", "leave a", "enter c", "leave c"])
    }

    @Test func skipAndStop() throws {
        var skipping = Collect(skipArguments: true)
        walk(try Parser.parse("{ a(x: 1) b }"), with: &skipping)
        #expect(skipping.events == ["enter a", "arg x", "leave a", "enter b", "leave b"])
        var stopping = Collect()
        let finished = walk(try Parser.parse("{ a stop b }"), with: &stopping)
        #expect(!finished)
        #expect(stopping.events == ["enter a", "leave a", "enter stop"])
    }

    @Test func printedSchemaBuildsTheSameSchema() throws {
        let schema = try Schema(sdl: worldSDL)
        let printed = schema.printSDL()
        let again = try Schema(sdl: printed)
        #expect(again.printSDL() == printed)
        #expect(Array(again.types.keys) == Array(schema.types.keys))
        #expect(again.types["Filter"]?.inputFields["limit"]?.defaultValue == .int("10"))
        #expect(again.types["Lookup"]?.isOneOf == true)
        #expect(printed.contains("schema {\n  query: Query\n  mutation: Mutation\n}") == false, "default root names need no schema block")
        #expect(printed.contains("union SearchResult = Human | Droid"))
    }
}
