import GraphQLCore
import Testing

/// The response tree's shared object shapes: whatever the keys (escaped, repeated, many, all
/// different), a body read into the tree reads back as the same JSON, objects read alike share
/// one shape, and merges and remembered lookups stay right when shapes differ.
@Suite("Response tree shapes")
struct ResultTreeTests {
    struct NoData: Error {}

    func tree(_ text: String) throws -> ResultNode {
        let (data, _) = try JSONReader.parseResponse(Array(text.utf8))
        guard case .node(let n)? = data else { throw NoData() }
        return n
    }

    @Test func bodiesReadBackAsTheSameJSON() throws {
        let many = (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let varied = (0..<30).map { "{\"a\":1,\"x\($0)\":\($0)}" }.joined(separator: ",")
        let bodies = [
            #"{"a":1,"b":[{"id":"1","n":"x"},{"id":"2","n":"y"},{"n":"z","id":"3"}],"c":{"d":null}}"#,
            #"{"a\u0062":1,"list":[{"ab":2},{"a\u0062":3},{"a\"b":4}]}"#,
            "{\"wide\":{\(many)},\"again\":{\(many)}}",
            "{\"varied\":[\(varied)]}",
            #"{"dup":{"k":1,"k":2},"empty":{},"nested":[[{"a":[]}],[]]}"#,
        ]
        for body in bodies {
            let expected = try JSONReader.parse("{\"data\":\(body)}")["data"]
            #expect(try tree("{\"data\":\(body)}").json == expected, "\(body)")
        }
    }

    @Test func objectsReadAlikeShareOneShape() throws {
        let root = try tree(#"{"data":{"list":[{"id":"1","n":"x"},{"id":"2","n":"y"},{"n":"z","id":"3"}]}}"#)
        guard case .node(let list)? = root["list"] else { Issue.record("no list"); return }
        let shapes = list.cells.compactMap { cell -> ResultShape? in
            if case .node(let n) = cell { return n.shape }
            return nil
        }
        #expect(shapes.count == 3)
        #expect(shapes[0] === shapes[1])
        #expect(shapes[0] !== shapes[2])
        #expect(shapes[2].keys == ["n", "id"])
    }

    @Test func aLookupFollowsTheShapeOfEachObject() throws {
        let root = try tree(#"{"data":{"list":[{"id":"1","n":"x"},{"n":"z","id":"3"},{"id":"4","n":"w"},{"m":1}]}}"#)
        guard case .node(let list)? = root["list"] else { Issue.record("no list"); return }
        var lookup = ResultShape.Lookup("id")
        let ids = list.cells.map { cell -> String? in
            guard case .node(let n) = cell, case .json(.string(let s))? = lookup.cell(in: n) else { return nil }
            return s
        }
        #expect(ids == ["1", "3", "4", nil])
    }

    @Test func mergesPlaceMembersByKeyWhateverTheOrder() throws {
        let targets = try tree(#"{"data":{"l":[{"id":"1","a":1},{"id":"2","a":2},{"a":3,"id":"3"}]}}"#)
        let answers = try tree(#"{"data":{"l":[{"b":10,"a":11},{"b":20,"a":21},{"b":30,"a":31,"c":{"d":1}}]}}"#)
        guard case .node(let t)? = targets["l"], case .node(let a)? = answers["l"] else { Issue.record("no lists"); return }
        for (x, y) in zip(t.cells, a.cells) {
            if case .node(let target) = x, case .node(let answer) = y { target.merge(answer) }
        }
        let expected = try JSONReader.parse(#"[{"id":"1","a":11,"b":10},{"id":"2","a":21,"b":20},{"a":31,"id":"3","b":30,"c":{"d":1}}]"#)
        #expect(t.json == expected)
        // A private shape (an object with many keys) grows in place and merges alike.
        let wide = ResultNode(isObject: true)
        for k in 0..<40 { wide.append("k\(k)", .json(.int(k))) }
        let more = ResultNode(isObject: true)
        more.append("k3", .json(.int(-3)))
        more.append("z", .json(.int(99)))
        wide.merge(more)
        #expect(wide.keys?.count == 41)
        #expect(wide.string("z") == nil)
        if case .json(.int(let v))? = wide["k3"] { #expect(v == -3) } else { Issue.record("k3 missing") }
        if case .json(.int(let v))? = wide["z"] { #expect(v == 99) } else { Issue.record("z missing") }
    }
}
