import Foundation
import GraphQL
import GraphQLCore

/// Times `body` repeatedly for about `seconds` after a warm-up; returns the median seconds per run.
func measure(_ seconds: Double = 2.0, _ body: () throws -> Void) rethrows -> Double {
    for _ in 0..<3 { try body() }
    var samples: [Double] = []
    let clock = ContinuousClock()
    let end = clock.now + .milliseconds(Int(seconds * 1000))
    while clock.now < end || samples.count < 5 {
        let start = clock.now
        try body()
        let d = clock.now - start
        samples.append(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }
    samples.sort()
    return samples[samples.count / 2]
}

func measureAsync(_ seconds: Double = 2.0, _ body: () async throws -> Void) async rethrows -> Double {
    for _ in 0..<3 { try await body() }
    var samples: [Double] = []
    let clock = ContinuousClock()
    let end = clock.now + .milliseconds(Int(seconds * 1000))
    while clock.now < end || samples.count < 5 {
        let start = clock.now
        try await body()
        let d = clock.now - start
        samples.append(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }
    samples.sort()
    return samples[samples.count / 2]
}

struct Row {
    let name: String
    let ours: Double
    let theirs: Double
    let unit: String
    let scale: Double
    var line: String {
        String(format: "| %@ | %.3f %@ | %.3f %@ | %.1f× |", name, ours * scale, unit, theirs * scale, unit, theirs / ours)
    }
}

var rows: [Row] = []

// MARK: parse

let introspectionBytes = Double(Workloads.introspectionQuery.utf8.count)
let largeBytes = Double(Workloads.largeDocument.utf8.count)
let noLimits = ParserOptions(maxTokens: nil)
let oursParseIntro = try measure { _ = try GraphQLCore.Parser.parse(Workloads.introspectionQuery, options: noLimits) }
let theirsParseIntro = try measure { _ = try GraphQL.parse(source: Workloads.introspectionQuery) }
rows.append(Row(name: "parse introspection query (µs/doc)", ours: oursParseIntro, theirs: theirsParseIntro, unit: "µs", scale: 1e6))
let oursParseLarge = try measure { _ = try GraphQLCore.Parser.parse(Workloads.largeDocument, options: noLimits) }
let theirsParseLarge = try measure { _ = try GraphQL.parse(source: Workloads.largeDocument) }
rows.append(Row(name: "parse ~100 KB document (ms/doc)", ours: oursParseLarge, theirs: theirsParseLarge, unit: "ms", scale: 1e3))

// MARK: validate

let ourSchema = try GraphQLCore.Schema(sdl: Workloads.schemaSDL)
let theirSchema = try GraphQL.buildSchema(source: Workloads.schemaSDL)
let ourIntroDoc = try GraphQLCore.Parser.parse(Workloads.introspectionQuery)
let theirIntroDoc = try GraphQL.parse(source: Workloads.introspectionQuery)
precondition(GraphQLCore.Validator.validate(schema: ourSchema, document: ourIntroDoc).isEmpty)
precondition(GraphQL.validate(schema: theirSchema, ast: theirIntroDoc).isEmpty)
let oursValidate = measure { _ = GraphQLCore.Validator.validate(schema: ourSchema, document: ourIntroDoc) }
let theirsValidate = measure { _ = GraphQL.validate(schema: theirSchema, ast: theirIntroDoc) }
rows.append(Row(name: "validate introspection query (µs)", ours: oursValidate, theirs: theirsValidate, unit: "µs", scale: 1e6))

// MARK: execute to JSON bytes

struct Item: Sendable { let id: Int; let a: String; let b: Int; let c: Double; let d: Bool }
struct Nested: Sendable { let x: Int; let y: String; let z: Bool }
let items = (0..<1_000).map { Item(id: $0, a: "item \($0)", b: $0 * 2, c: Double($0) / 3, d: $0 % 2 == 0) }

let listSDL = """
type Query { items: [Item!]! rows: [Row!]! }
type Item { id: Int! a: String! b: Int! c: Float! d: Boolean! nested: Nested! }
type Nested { x: Int! y: String! z: Boolean! }
type Row { id: Int! name: String! matrix: [[Int!]!]! }
"""
struct Ctx: Sendable {}
let ourNested = ObjectResolvers<Ctx, Nested>("Nested")
    .field("x") { n, _, _, _ in .leaf(.int(n.x)) }
    .field("y") { n, _, _, _ in .leaf(.string(n.y)) }
    .field("z") { n, _, _, _ in .leaf(.bool(n.z)) }
let ourItem = ObjectResolvers<Ctx, Item>("Item")
    .field("id") { i, _, _, _ in .leaf(.int(i.id)) }
    .field("a") { i, _, _, _ in .leaf(.string(i.a)) }
    .field("b") { i, _, _, _ in .leaf(.int(i.b)) }
    .field("c") { i, _, _, _ in .leaf(.double(i.c)) }
    .field("d") { i, _, _, _ in .leaf(.bool(i.d)) }
    .field("nested") { i, _, _, _ in .object(Nested(x: i.id, y: "n", z: true), ourNested) }
let ourRow = ObjectResolvers<Ctx, Int>("Row")
    .field("id") { r, _, _, _ in .leaf(.int(r)) }
    .field("name") { r, _, _, _ in .leaf(.string("row \(r)")) }
    .field("matrix") { r, _, _, _ in .list((0..<10).map { i in .list((0..<10).map { j in .leaf(.int(r + i * j)) }) }) }
let ourQuery = ObjectResolvers<Ctx, Void>("Query")
    .field("items") { _, _, _, _ in .list(items.map { .object($0, ourItem) }) }
    .field("rows") { _, _, _, _ in .list((0..<100).map { .object($0, ourRow) }) }
let ourExec = ExecutableSchema<Ctx>(schema: try GraphQLCore.Schema(sdl: listSDL)).root(.query, (), ourQuery)

let theirNested = try GraphQLObjectType(name: "Nested", fields: [
    "x": GraphQLField(type: GraphQLNonNull(GraphQLInt), resolve: { s, _, _, _ in (s as! Nested).x }),
    "y": GraphQLField(type: GraphQLNonNull(GraphQLString), resolve: { s, _, _, _ in (s as! Nested).y }),
    "z": GraphQLField(type: GraphQLNonNull(GraphQLBoolean), resolve: { s, _, _, _ in (s as! Nested).z }),
])
let theirItem = try GraphQLObjectType(name: "Item", fields: [
    "id": GraphQLField(type: GraphQLNonNull(GraphQLInt), resolve: { s, _, _, _ in (s as! Item).id }),
    "a": GraphQLField(type: GraphQLNonNull(GraphQLString), resolve: { s, _, _, _ in (s as! Item).a }),
    "b": GraphQLField(type: GraphQLNonNull(GraphQLInt), resolve: { s, _, _, _ in (s as! Item).b }),
    "c": GraphQLField(type: GraphQLNonNull(GraphQLFloat), resolve: { s, _, _, _ in (s as! Item).c }),
    "d": GraphQLField(type: GraphQLNonNull(GraphQLBoolean), resolve: { s, _, _, _ in (s as! Item).d }),
    "nested": GraphQLField(type: GraphQLNonNull(theirNested), resolve: { s, _, _, _ in Nested(x: (s as! Item).id, y: "n", z: true) }),
])
let theirRow = try GraphQLObjectType(name: "Row", fields: [
    "id": GraphQLField(type: GraphQLNonNull(GraphQLInt), resolve: { s, _, _, _ in s as! Int }),
    "name": GraphQLField(type: GraphQLNonNull(GraphQLString), resolve: { s, _, _, _ in "row \(s as! Int)" }),
    "matrix": GraphQLField(type: GraphQLNonNull(GraphQLList(GraphQLNonNull(GraphQLList(GraphQLNonNull(GraphQLInt))))),
                           resolve: { s, _, _, _ in let r = s as! Int; return (0..<10).map { i in (0..<10).map { j in r + i * j } } }),
])
let theirSchemaExec = try GraphQLSchema(query: try GraphQLObjectType(name: "Query", fields: [
    "items": GraphQLField(type: GraphQLNonNull(GraphQLList(GraphQLNonNull(theirItem))), resolve: { _, _, _, _ in items }),
    "rows": GraphQLField(type: GraphQLNonNull(GraphQLList(GraphQLNonNull(theirRow))), resolve: { _, _, _, _ in Array(0..<100) }),
]))

let encoder = JSONEncoder()
for (name, query, fields) in [
    ("execute 1,000 × (5 scalars + nested 3) to JSON (ns/field)", "{ items { id a b c d nested { x y z } } }", 1_000.0 * 9),
    ("execute 100 × (2 fields + 10×10 list) to JSON (ns/field)", "{ rows { id name matrix } }", 100.0 * 3 + 100 * 110),
] {
    let ourDoc = try GraphQLCore.Parser.parse(query)
    let theirDoc = try GraphQL.parse(source: query)
    let ourBytes = await GraphQLCore.Executor.execute(ourExec, request: ExecutionRequest(document: ourDoc), context: Ctx()).jsonBytes
    let theirResult = try await GraphQL.execute(schema: theirSchemaExec, documentAST: theirDoc, rootValue: (), context: ())
    precondition(theirResult.errors.isEmpty && ourBytes.count > 1000)
    let ours = await measureAsync {
        let r = await GraphQLCore.Executor.execute(ourExec, request: ExecutionRequest(document: ourDoc), context: Ctx())
        precondition(r.jsonBytes.count > 0)
    }
    let theirs = try await measureAsync {
        let r = try await GraphQL.execute(schema: theirSchemaExec, documentAST: theirDoc, rootValue: (), context: ())
        let data = try encoder.encode(r)
        precondition(data.count > 0)
    }
    rows.append(Row(name: name, ours: ours / fields, theirs: theirs / fields, unit: "ns", scale: 1e9))
}

print("| benchmark | Switchyard | GraphQLSwift 4.3.0 | ratio |")
print("|---|---|---|---|")
for r in rows { print(r.line) }
print(String(format: "\nparse throughput: introspection %.1f MB/s vs %.1f MB/s; 100 KB document %.1f MB/s vs %.1f MB/s (%.0f vs %.0f documents/s)",
             introspectionBytes / oursParseIntro / 1e6, introspectionBytes / theirsParseIntro / 1e6,
             largeBytes / oursParseLarge / 1e6, largeBytes / theirsParseLarge / 1e6, 1 / oursParseLarge, 1 / theirsParseLarge))
