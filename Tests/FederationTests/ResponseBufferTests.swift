import Federation
import GraphQLCore
import OrderedCollections
import Testing

/// The plan run's flat response buffer: bodies read into it read back as the same JSON (escaped
/// strings, repeated and many keys), answers absorbed into one buffer merge by key whatever the
/// order, and bodies that are not GraphQL responses are refused. (The executor's own writing
/// into a buffer is tested with the executor: `theAnswerIsOneBufferWrittenAsItCompletes`.)
@Suite("Response buffer")
struct ResponseBufferTests {
    func data(_ text: String) throws -> ResponseBuffer {
        let (buffer, _, _, _) = try ResponseBuffer.parseResponse(Array(text.utf8), maxDepth: 64)
        return buffer
    }

    func json(_ b: ResponseBuffer, _ v: ResponseBuffer.Value? = nil) -> JSON { b.json(v ?? b.root) }

    func written(_ b: ResponseBuffer, _ v: ResponseBuffer.Value? = nil) -> String {
        var w = JSONWriter()
        b.write(v ?? b.root, &w)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    @Test func bodiesReadBackAsTheSameJSON() throws {
        let many = (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let varied = (0..<30).map { "{\"a\":1,\"x\($0)\":\($0)}" }.joined(separator: ",")
        let bodies = [
            #"{"a":1,"b":[{"id":"1","n":"x"},{"id":"2","n":"y"},{"n":"z","id":"3"}],"c":{"d":null},"e":[true,false,-2.5,2.5e-3,12345678901234567890]}"#,
            #"{"a\u0062":1,"list":[{"ab":2},{"a\u0062":3},{"a\"b":4}]}"#,
            "{\"wide\":{\(many)},\"again\":{\(many)}}",
            "{\"varied\":[\(varied)]}",
            #"{"dup":{"k":1,"k":2},"empty":{},"nested":[[{"a":[]}],[]],"":"","__typename":""}"#,
            #"{"s":"quote \" backslash \\ newline \n tab \t unicode \u00e9 \ud83d\ude00 slash \/ end","plain":"héllo wörld, long enough to pass eight bytes"}"#,
        ]
        for body in bodies {
            let expected = try JSONReader.parse("{\"data\":\(body)}")["data"]
            let buffer = try data("{\"data\":\(body)}")
            #expect(json(buffer) == expected, "\(body)")
            // Written back to bytes (plain strings copied, escaped ones escaped again), it reads the same.
            #expect(try JSONReader.parse(written(buffer)) == expected, "\(body)")
            // The room made for a first answer holds the whole tree written: it is not grown.
            #expect(buffer.writtenSizeBound >= written(buffer).utf8.count, "\(body)")
        }
    }

    /// An integer beyond 64 bits (a custom scalar's: a BigInt, a big number in a JSON scalar) is
    /// written back with the digits it came with, in place and after absorbing into another buffer
    /// (read as a double, it lost its last digits); decimals and exponents stay doubles.
    @Test func integersBeyond64BitsKeepTheirDigits() throws {
        let body = #"{"a":9223372036854775813,"b":[123456789012345678901234567890,-12345678901234567890123],"c":{"n":9223372036854775807},"d":1.5e3}"#
        let buffer = try data("{\"data\":\(body)}")
        #expect(written(buffer) == #"{"a":9223372036854775813,"b":[123456789012345678901234567890,-12345678901234567890123],"c":{"n":9223372036854775807},"d":1500}"#)
        var other = try data(#"{"data":{"x":"a longer string than eight bytes"}}"#)
        let absorbed = other.absorb(buffer)
        #expect(written(other, absorbed) == written(buffer))
        #expect(buffer.writtenSizeBound >= written(buffer).utf8.count)
    }

    /// A `__typename` read before is the same string record again (objects of one type are
    /// matched by record), also when the body escaped some of its characters; other strings and
    /// other names are records of their own. (Names of at most 8 bytes are short strings, equal values: `shortStringsAreValues`.)
    @Test func typenamesReadOnceAreOneRecord() throws {
        let text = #"{"data":{"a":[{"__typename":"ProductVariant","upc":"100000001"},{"__typename":"ProductVariant","upc":"100000001"},{"__typename":"UserAccount","upc":"ProductVariant"},{"__typename":"Pro\u0064uctVariant"}]}}"#
        let b = try data(text)
        #expect(json(b) == (try JSONReader.parse(text))["data"])
        let items = try #require(b.member(b.root, "a")).items.map { b.values[$0] }
        let names = items.map { b.typenameValue($0.object)! }
        #expect(names[0].isSameRecord(as: names[1]))
        #expect(!names[0].isSameRecord(as: names[2]))
        #expect(names[0].isSameRecord(as: names[3]), "a name escaped in the body, the same once read, is the same record")
        #expect(b.string(names[3]) == "ProductVariant" && b.string(names[2]) == "UserAccount")
        let upcs = items.prefix(3).map { b.member($0, "upc")! }
        #expect(!upcs[0].isSameRecord(as: upcs[1]), "only typenames are shared")
        #expect(!upcs[2].isSameRecord(as: names[0]))
        #expect(b.sameScalar(upcs[0], upcs[1]) && b.sameScalar(names[0], names[3]), "equal strings compare equal by their bytes, escaped in the body or not")
    }

    /// Strings of at most 8 plain ASCII bytes live in the value itself: equal ones are equal
    /// values however they were written (escaped in the body, or by the executor), they hash
    /// alike, and they read and write back as the same JSON; longer, non-ASCII and escaped
    /// strings stay in the text.
    @Test func shortStringsAreValues() throws {
        let text = #"{"data":{"a":"ab","b":"a\u0062","c":"abcdefgh","d":"abcdefghi","e":"é","f":"","g":"a\"b","h":"tab\t","i":"12345678","j":"\u0061bcdefghij"}}"#
        let b = try data(text)
        #expect(json(b) == (try JSONReader.parse(text))["data"])
        #expect(try JSONReader.parse(written(b)) == json(b))
        func v(_ k: String) throws -> ResponseBuffer.Value { try #require(b.member(b.root, k)) }
        #expect(try v("a").kind == .short && v("b").kind == .short && v("c").kind == .short && v("f").kind == .short)
        #expect(try v("d").kind == .string && v("e").kind == .string && v("g").kind == .escaped && v("h").kind == .escaped)
        #expect(try b.member(b.root, "j")?.kind == .string, "escaped in the body, nothing to escape once read")
        #expect(try v("a").isSameRecord(as: v("b")) && b.sameScalar(v("a"), v("b")))
        #expect(try !b.sameScalar(v("a"), v("c")) && !b.sameScalar(v("c"), v("d")))
        #expect(try b.string(v("c"), equals: "abcdefgh") && !b.string(v("c"), equals: "abcdefg") && b.string(v("f"), equals: ""))
        #expect(try b.string(v("i")) == "12345678" && b.string(v("a")) == "ab")
        func hash(_ x: ResponseBuffer.Value) -> Int {
            var h = QuickHasher()
            _ = b.hashScalar(x, into: &h)
            return h.finalize()
        }
        #expect(try hash(v("a")) == hash(v("b")))
        // The executor's strings follow the same rule: "ab" written by it is the body's "ab".
        var mine = ResponseBuffer()
        let ab = mine.string("ab"), long = mine.string("abcdefghi")
        #expect(ab.isSameRecord(as: try v("a")) && ab.kind == .short && long.kind == .string)
        #expect(mine.string(ab) == "ab" && mine.string(long) == "abcdefghi")
    }

    /// A record holds its member's key id in the 24 bits above its kind: it stays 16 bytes, and
    /// members are found, listed and merged by the key kept with them.
    @Test func recordsKeepTheirKeysInSixteenBytes() throws {
        #expect(MemoryLayout<ResponseBuffer.Value>.size == 16 && MemoryLayout<ResponseBuffer.Value>.stride == 16)
        var v = ResponseBuffer.Value.null
        #expect(v.key == -1)
        for k: Int32 in [0, 1, 255, 256, 65_535, 65_536, Int32(KeyTable.maxKeys - 1), -1] {
            v.key = k
            #expect(v.key == k && v.kind == .null)
            v.kind = .short
            #expect(v.key == k && v.kind == .short)
            v.kind = .null
        }
        let b = try data(#"{"data":{"x":[1,{"b":2,"a":"é"}],"y":{"b":[3],"c":null}}}"#)
        var keys: [String] = []
        b.members(b.root.object) { k, _ in keys.append(b.keys.names[Int(k)]) }
        #expect(keys == ["x", "y"])
        let x = try #require(b.member(b.root, "x"))
        #expect(x.items.map { b.values[$0].key } == [-1, -1], "list items have no key")
        var run = ResponseBuffer()
        let root = run.newObject().object
        run.merge(root, run.absorb(b).object)
        run.merge(root, run.absorb(try data(#"{"data":{"y":{"c":4,"d":5},"x":[1,{"a":"e"}]}}"#)).object)
        #expect(json(run, ResponseBuffer.Value(object: root)) == ["x": [1, ["b": 2, "a": "e"]], "y": ["b": [3], "c": 4, "d": 5]])
    }

    @Test func mergesThatReplaceObjectsOrListsAreCounted() throws {
        // Objects and lists of one length merge in place (walks of the tree made before still
        // hold); a null, a list of another length or a scalar where one was replaces it (counted:
        // a plan run walks its paths again).
        var run = ResponseBuffer()
        let root = run.newObject().object
        run.merge(root, run.absorb(try data(#"{"data":{"a":{"x":[1,2]},"b":[{"i":1}],"c":null}}"#)).object)
        run.merge(root, run.absorb(try data(#"{"data":{"a":{"x":[3,4],"y":1},"b":[{"j":2}]}}"#)).object)
        #expect(run.compositesReplaced == 0)
        run.merge(root, run.absorb(try data(#"{"data":{"a":{"x":[5]}}}"#)).object)
        #expect(run.compositesReplaced == 1)
        run.merge(root, run.absorb(try data(#"{"data":{"b":null,"c":{"k":1}}}"#)).object)
        #expect(run.compositesReplaced == 3)
        #expect(json(run, ResponseBuffer.Value(object: root)) == ["a": ["x": [5], "y": 1], "b": .null, "c": ["k": 1]])
    }

    @Test func invalidUTF8FromASubgraphIsNotPassedOn() throws {
        // A lone 0xFF in a plain string, in an escaped one, and in a key; valid multi-byte text kept.
        var body = Array(#"{"data":{"a":"x"#.utf8) + [0xFF] + Array(#"y","b":"\n"#.utf8) + [0xC3] + Array(#"","#.utf8)
        body += [0x22, 0x6B, 0xFE, 0x22] + Array(#":1,"c":"héllo €"}}"#.utf8)
        let response = try #require(SubgraphResponse.parse(body))
        let buffer = try #require(response.data)
        var w = JSONWriter()
        buffer.write(buffer.root, &w)
        #expect(w.bytes == Array(String(decoding: w.bytes, as: UTF8.self).utf8), "the bytes written are valid UTF-8")
        #expect(json(buffer) == ["a": "x\u{FFFD}y", "b": "\n\u{FFFD}", "k\u{FFFD}": 1, "c": "héllo €"])
        #expect(try JSONReader.parse(w.bytes) == json(buffer))
    }

    @Test func answersMergeByKeyWhateverTheOrder() throws {
        var run = ResponseBuffer()
        let root = run.newObject().object
        let targets = run.absorb(try data(#"{"data":{"l":[{"id":"1","a":1},{"id":"2","a":2},{"a":3,"id":"3","x":[{"p":1},{"p":2}],"y":[1]}]}}"#))
        run.merge(root, targets.object)
        let answers = run.absorb(try data(#"{"data":{"l":[{"b":10,"a":11},{"b":20,"a":21},{"b":30,"a":31,"c":{"d":1},"x":[{"q":1},{"q":2}],"y":[1,2]}]}}"#))
        let mine = try #require(run.member(ResponseBuffer.Value(object: root), "l")), theirs = try #require(run.member(answers, "l"))
        for (t, a) in zip(mine.items, theirs.items) { run.merge(run.values[t].object, run.values[a].object) }
        let expected = try JSONReader.parse(#"""
            [{"id":"1","a":11,"b":10},{"id":"2","a":21,"b":20},
             {"a":31,"id":"3","x":[{"p":1,"q":1},{"p":2,"q":2}],"y":[1,2],"b":30,"c":{"d":1}}]
            """#)
        #expect(json(run, mine) == expected)
        #expect(try JSONReader.parse(written(run, mine)) == expected)

        // An object with many keys merges alike.
        let many = (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let wide = run.absorb(try data("{\"data\":{\(many)}}"))
        let more = run.absorb(try data(#"{"data":{"k3":-3,"z":99}}"#))
        run.merge(wide.object, more.object)
        guard case .object(let o) = json(run, wide) else { Issue.record("not an object"); return }
        #expect(o.count == 41)
        #expect(o["k3"] == -3 && o["z"] == 99 && o["k4"] == 4 && o["k39"] == 39)
    }

    @Test func anInterfaceObjectAnswerLeavesTheObjectItsOwnType() throws {
        var run = ResponseBuffer()
        let target = run.absorb(try data(#"{"data":{"__typename":"Book","id":"1"}}"#))
        let answer = run.absorb(try data(#"{"data":{"__typename":"Media","title":"T"}}"#))
        run.merge(target.object, answer.object, keepTypename: true)
        #expect(json(run, target) == ["__typename": "Book", "id": "1", "title": "T"])
        #expect(run.typename(target.object) == "Book")
    }

    @Test func keysAreRenamedWhenAnAnswerIsAbsorbed() throws {
        var run = ResponseBuffer()
        let answer = run.absorb(try data(#"{"data":{"_a0":{"_a0":1,"n":2}}}"#), renames: ["_a0": "price"])
        #expect(json(run, answer) == ["price": ["price": 1, "n": 2]])
    }

    @Test func bodiesThatAreNotGraphQLResponsesAreRefused() throws {
        for body in [#"[1]"#, #""data""#, #"{"data":"x"}"#, #"{"data":{},"errors":{}}"#, #"{"data":{"a":"\x"}}"#,
                     #"{"data":{"a":1}"#, #"{"data":{"a":1}} x"#, #"{"data":{"a":tru}}"#, "{\"data\":{\"a\":\"\u{01}\"}}", #"{}"#] {
            #expect(SubgraphResponse.parse(Array(body.utf8)) == nil, "\(body)")
        }
        let deep = "{\"data\":" + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "}"
        #expect(SubgraphResponse.parse(Array(deep.utf8)) == nil)
        #expect(throws: ResponseBuffer.Malformed.self) { try ResponseBuffer.parseResponse(Array(deep.utf8), maxDepth: 512) }

        // Errors given as null, without data, is still a response (with no errors); a member
        // given twice counts as its last occurrence.
        let nothing = try #require(SubgraphResponse.parse(Array(#"{"errors":null}"#.utf8)))
        #expect(nothing.data == nil && nothing.errors.isEmpty)
        let twice = try #require(SubgraphResponse.parse(Array(#"{"data":{"a":1},"data":{"b":2}}"#.utf8)))
        #expect(twice.data.map { json($0) } == ["b": 2])

        let failed = try #require(SubgraphResponse.parse(Array(#"{"data":null,"errors":[{"message":"no","path":["a",0]}]}"#.utf8)))
        #expect(failed.data == nil)
        #expect(failed.errors == [["message": "no", "path": ["a", 0]]])
        let answered = try #require(SubgraphResponse.parse(Array(#" {"data":{"a":[]}} "#.utf8)))
        #expect(answered.errors.isEmpty)
        #expect(answered.data.map { json($0) } == ["a": []])
    }
}
