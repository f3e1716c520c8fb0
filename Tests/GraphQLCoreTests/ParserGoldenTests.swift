import Foundation
import GraphQLCore
import Testing

let parserFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/parser")

func fixtureFiles(_ folder: String) -> [URL] {
    ((try? FileManager.default.contentsOfDirectory(at: parserFixtures.appendingPathComponent(folder), includingPropertiesForKeys: nil)) ?? [])
        .filter { $0.pathExtension == "graphql" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
}

/// Compares with the `.txt` beside the fixture; `UPDATE_SNAPSHOTS=1` writes it (golden files, like apollo-rs).
func expectGolden(_ actual: String, _ fixture: URL, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    let golden = fixture.deletingPathExtension().appendingPathExtension("txt")
    if ProcessInfo.processInfo.environment["UPDATE_SNAPSHOTS"] == "1" {
        try actual.write(to: golden, atomically: true, encoding: .utf8)
    }
    // A missing golden file fails: it is written only on request, never silently.
    guard FileManager.default.fileExists(atPath: golden.path) else {
        Issue.record("golden file \(golden.lastPathComponent) is missing (UPDATE_SNAPSHOTS=1 writes it)", sourceLocation: sourceLocation)
        return
    }
    #expect(actual == (try String(contentsOf: golden, encoding: .utf8)), "\(fixture.lastPathComponent)", sourceLocation: sourceLocation)
}

@Suite("Parser golden files")
struct ParserGoldenTests {
    @Test(arguments: fixtureFiles("ok"))
    func parsesPrintsAndRoundTrips(_ file: URL) throws {
        let doc = try Parser.parse(Source(bytes: Array(try Data(contentsOf: file))))
        let printed = Printer.print(doc)
        try expectGolden(printed, file)
        // parse → print → parse gives the same AST.
        let again = try Parser.parse(printed)
        #expect(again.withoutSpans == doc.withoutSpans)
        #expect(Printer.print(again) == printed)
    }

    @Test func valuesPrintAsTheyReadBack() throws {
        let text = #"[{a: "plain", b: "q\"uote \\ back\nline\ttab \u0001 \u007F é 🚀"}, [1, -2.5e3, true, null, ENUM, $v], {}, []]"#
        let value = try Parser.parseValue(text)
        #expect(Printer.print(value) == text)
        #expect(try Parser.parseValue(Printer.print(value)) == value)
        // Every string a printed literal can hold reads back as itself.
        for s in ["", "x", "\"", "\\", "\u{7F}", "a\u{0}b", "\r\n", "ünï", "\u{1F680}\"\u{08}\u{0C}"] {
            let printed = Printer.string(s)
            guard case .string(let back, _) = try Parser.parseValue(printed) else { Issue.record("\(printed) is not a string"); continue }
            #expect(back == s, "\(printed)")
        }
    }

    @Test(arguments: fixtureFiles("err"))
    func rejectsWithAClearLocatedError(_ file: URL) throws {
        let source = Source(bytes: Array(try Data(contentsOf: file)))
        do {
            _ = try Parser.parse(source)
            Issue.record("\(file.lastPathComponent) parsed but should not")
        } catch let e as GraphQLError {
            try expectGolden("\(e.message) @ \(e.locations.map(\.description).joined(separator: ","))\n", file)
        }
    }

    @Test func stringValuesDecodeEscapesAndSurrogatePairs() throws {
        let doc = try Parser.parse(#"{ a(b: "\u00e9\n\u{1F600}\uD83D\uDE00", c: """  x\"""y  """) }"#)
        guard case .operation(let op) = doc.definitions[0], case .field(let f) = op.selectionSet.selections[0] else { Issue.record("shape"); return }
        #expect(f.arguments[0].value == .string("é\n😀😀", block: false))
        #expect(f.arguments[1].value == .string("  x\"\"\"y  ", block: true))
    }

    @Test func tokenLimitStopsAFloodEarly() throws {
        let flood = "{ " + String(repeating: "a ", count: 1_000_000) + "}"
        let error = #expect(throws: GraphQLError.self) { try Parser.parse(flood, options: ParserOptions(maxTokens: 15_000)) }
        #expect(error?.code == "MAX_TOKENS_EXCEEDED")
        #expect(error?.locations.first?.column == 30_001, "stopped at token 15,001 (column 2k-1), not at the end")
    }

    @Test func depthLimitStopsDeepNestingBeforeTheStackDoes() throws {
        let deep = String(repeating: "{ a ", count: 100_000) + String(repeating: "}", count: 100_000)
        let error = #expect(throws: GraphQLError.self) { try Parser.parse(deep, options: ParserOptions(maxTokens: nil)) }
        #expect(error?.code == "MAX_DEPTH_EXCEEDED")
        let list = String(repeating: "[", count: 100_000)
        let e2 = #expect(throws: GraphQLError.self) { try Parser.parseValue(list) }
        #expect(e2?.code == "MAX_DEPTH_EXCEEDED")
        // Within the limit is fine.
        _ = try Parser.parse(String(repeating: "{ a ", count: 150) + String(repeating: "}", count: 150))
    }

    /// The nesting bound holds through fragment spreads (each definition is within it on its
    /// own); cycles and spreads of unknown fragments are left to validation.
    @Test func depthLimitHoldsThroughFragmentSpreads() throws {
        func chain(_ n: Int, nest: Int) -> String {
            var q = "{ a { ...F0 } }\n"
            for i in 0..<n { q += "fragment F\(i) on T { " + String(repeating: "b { ", count: nest) + "...F\(i + 1)" + String(repeating: " }", count: nest) + " }\n" }
            return q + "fragment F\(n) on T { c }"
        }
        // Spreads alone (no selection set between them) recurse as deep as nesting does.
        let error = #expect(throws: GraphQLError.self) { try Parser.parse(chain(5_000, nest: 0), options: ParserOptions(maxTokens: nil)) }
        #expect(error?.code == "MAX_DEPTH_EXCEEDED")
        #expect(error?.locations.first?.line == 1, "located at the operation")
        // A spread is a level, and each fragment nests two more: 65 of them reach 198 with the
        // operation's two and the last one's set, 66 go past 200.
        _ = try Parser.parse(chain(65, nest: 2))
        #expect(throws: GraphQLError.self) { try Parser.parse(chain(66, nest: 2)) }
        // A cycle and an unknown fragment parse (validation refuses them).
        _ = try Parser.parse("{ a { ...X ...Nope } } fragment X on T { b { ...Y } } fragment Y on T { c { ...X } }")
    }

    @Test func sourceLocationsCountLinesAndScalars() {
        let s = Source("ab\r\ncé\nd\re")
        #expect(s.location(of: 0) == SourceLocation(line: 1, column: 1))
        #expect(s.location(of: 4) == SourceLocation(line: 2, column: 1))
        #expect(s.location(of: 7) == SourceLocation(line: 2, column: 3)) // after the two-byte é
        #expect(s.location(of: 10) == SourceLocation(line: 4, column: 1))
        // Long lines (columns counted from 512-byte blocks): the same as counting from the line's
        // start, at every offset, multi-byte scalars across block edges, lengths at and around
        // a block's multiple.
        for length in [511, 512, 513, 1024, 3000, 9000] {
            // Lines of up to ~2,500 bytes (the block path counts lines of 1,024 bytes and more),
            // multi-byte scalars across block edges, the three line breaks.
            var text = "x\n"
            var k = 0
            while text.utf8.count < length {
                text += k % 700 == 699 ? ["\n", "ab\r\n", "c\r"][(k / 700) % 3] : ["a", "é", "😀", "z", "日本"][k % 5]
                k += 1
            }
            let source = Source(text)
            let bytes = Array(text.utf8)
            var line = 1, column = 1
            for offset in 0...bytes.count {
                #expect(source.location(of: offset) == SourceLocation(line: line, column: column), "\(length) at \(offset)")
                guard offset < bytes.count else { break }
                let b = bytes[offset]
                if b == 0x0A || (b == 0x0D && (offset + 1 == bytes.count || bytes[offset + 1] != 0x0A)) { line += 1; column = 1 }
                else if b == 0x0D { column += 1 }   // \r of \r\n: the \n ends the line
                else if b & 0xC0 != 0x80 { column += 1 }
            }
        }
    }

    /// A block string's leading and trailing blank lines go (a literal of 60,000 blank lines was
    /// quadratic to read, probe 53C), its common indentation too.
    @Test func blockStringsDropBlankLinesAndIndentation() throws {
        for (raw, value) in [("\"\"\"\n\n  a\n    b\n\n  \"\"\"", "a\n  b"), ("\"\"\"   \n \n\"\"\"", ""), ("\"\"\"x\"\"\"", "x"),
                             ("\"\"\"\(String(repeating: "\n", count: 60_000))  y\n\(String(repeating: " \n", count: 60_000))\"\"\"", "y")] {
            let doc = try Parser.parse("{ a(b: \(raw)) }")
            guard case .operation(let op) = doc.definitions[0], case .field(let f) = op.selectionSet.selections[0] else { Issue.record("shape"); return }
            #expect(f.arguments[0].value == .string(value, block: true), "\(raw.prefix(40))")
        }
    }
}
