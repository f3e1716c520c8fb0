import Foundation
import GraphQLCore
import Testing
import TestSupport

/// The JSON writer and reader skip eight bytes at a time until a byte needs a look (`"`, `\`,
/// a control character): each such byte is put at every offset of a word and of the tail, among
/// ASCII and multi-byte UTF-8, and the written text must read back to the same string — and be
/// what Python's `json` module reads as the same string (an outside judge of the escaping).
@Suite("JSON text")
struct JSONTests {
    static let specials: [String] = ["\"", "\\", "\n", "\t", "\u{0}", "\u{1F}", "\u{8}", "\u{C}", "\r"]
    static let fillers: [String] = ["a", "é", "€", "😀"]

    static var samples: [String] {
        var out = [""]
        for special in specials {
            for filler in fillers {
                for length in [0, 1, 7, 8, 9, 15, 16, 17, 23] {
                    for at in Set([0, length / 2, length]) {
                        var chars = Array(repeating: filler, count: length)
                        chars.insert(special, at: at)
                        out.append(chars.joined())
                    }
                }
            }
        }
        out.append(String(repeating: "plain ascii text ", count: 9))
        out.append(String(repeating: "\u{7F}~ ", count: 11))   // DEL and tilde need no escape
        return out
    }

    @Test func everyStringWrittenReadsBackTheSame() throws {
        for s in Self.samples {
            var w = JSONWriter()
            w.writeString(s)
            let text = String(decoding: w.bytes, as: UTF8.self)
            #expect(!text.dropFirst().dropLast().contains { $0.asciiValue.map { $0 < 0x20 } ?? false }, "a control character left raw in \(text.debugDescription)")
            #expect(try JSONReader.parse(w.bytes) == .string(s), "\(s.debugDescription) → \(text)")
        }
    }

    @Test func pythonReadsWhatWeWriteAndWeReadWhatPythonWrites() async throws {
        let samples = Self.samples
        var ours = JSONWriter()
        ours.write(.array(samples.map { .string($0) }))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("json-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("ours.json"), output = dir.appendingPathComponent("theirs.json")
        try Data(ours.bytes).write(to: input)
        // Python reads ours, and writes the same strings its own way (\u escapes, ensure_ascii).
        let python = try await runProcess("/usr/bin/env", ["python3", "-c", "import json, sys; v = json.load(open(sys.argv[1])); json.dump(v, open(sys.argv[2], 'w'))",
                                                            input.path, output.path])
        #expect(python.status == 0, "python3 could not read what we wrote: \(python.output)")
        let theirs = try JSONReader.parse(Array(try Data(contentsOf: output)))
        #expect(theirs == .array(samples.map { .string($0) }))
    }

    @Test func whatIsWrongIsSaidWithWhere() {
        let cases: [(String, String)] = [
            (#"{"query": 'x'}"#, "invalid value at byte 10"),
            ("[-x]", "invalid value at byte 2"),
            ("[1.]", "invalid number at byte 3"),
            ("[2e+]", "invalid number at byte 4"),
            (#"["\ud800\uZZZZ"]"#, "invalid unicode escape at byte 10"),
            (#"["\q"]"#, "invalid escape at byte 4"),
        ]
        for (text, expected) in cases {
            do {
                _ = try JSONReader.parse(text)
                Issue.record("accepted \(text)")
            } catch let e as JSONReader.Failure {
                #expect(e.description == expected, "\(text)")
            } catch {
                Issue.record("\(error)")
            }
        }
    }

    /// A name given twice is read as JavaScript reads it (the last value); two names that are
    /// different texts but one Swift `String` (canonically equivalent: "é" and "e" + U+0301)
    /// are refused — one of them was dropped (probe 37B: a variable's JSON object lost a key).
    @Test func namesThatDifferOnlyInUnicodeNormalizationAreRefused() throws {
        #expect(try JSONReader.parse(#"{"a":1,"b":2,"a":3}"#) == .object(["a": 3, "b": 2]))
        let twoTexts = "{\"\u{E9}\":1,\"e\u{301}\":2}"
        #expect(throws: JSONReader.Failure.self) { try JSONReader.parse(twoTexts) }
        do {
            _ = try JSONReader.parse(#"{"x":[{"\u00e9":1,"e\u0301":2}]}"#)
            Issue.record("accepted")
        } catch let e as JSONReader.Failure {
            #expect(e.description.hasPrefix("two member names of an object differ only in Unicode normalization"), "\(e)")
        }
        // As written, for what keeps the text (`jsonb`).
        #expect(JSONReader.isObject(twoTexts))
    }

    /// `isObject` accepts exactly what `parse` reads as an object, without building it.
    @Test func anObjectIsCheckedAsParsingWouldCheckIt() {
        let texts = [#"{}"#, #" {"i": 1} "#, #"{"a":[1,2.5e3,{"b":null}],"c":"\u00e9\n","d":true}"#, #"{"k":"\ud83d\ude00"}"#,
                     #"[]"#, #""{}""#, #"1"#, #"{"a":1"#, #"{"a":1}x"#, #"{"a":'x'}"#, #"{a:1}"#, #"{"a":"\q"}"#, "{\"a\":\"x\u{1}\"}",
                     #"{"a":[1,]}"#, #"{"a":tru}"#, #"{"a":1,}"#, String(repeating: #"{"a":"#, count: 200) + "1" + String(repeating: "}", count: 200)]
        for text in texts {
            let parsed: Bool
            if case .object? = try? JSONReader.parse(text) { parsed = true } else { parsed = false }
            #expect(JSONReader.isObject(text) == parsed, "\(text.prefix(60))")
        }
        #expect(JSONReader.isObject(#"{"i": 1}"#) && !JSONReader.isObject(#"{"i": 1"#))
    }

    /// A surrogate escape without its other half (a string cut inside a pair, as JavaScript and
    /// Python write it) reads as U+FFFD; a pair reads as its one scalar. In a subgraph's answer
    /// too: the rest of the answer stands.
    @Test func aLoneSurrogateEscapeIsTheReplacementCharacter() throws {
        let cases: [(String, String)] = [
            (#"["cut \ud83d"]"#, "cut \u{FFFD}"), (#"["\udc00x"]"#, "\u{FFFD}x"), (#"["\ud800\u0041"]"#, "\u{FFFD}A"),
            (#"["\ud83d\ude00"]"#, "😀"), (#"["\ud83d\ud83d\ude00"]"#, "\u{FFFD}😀"),
        ]
        for (text, expected) in cases {
            #expect(try JSONReader.parse(text) == .array([.string(expected)]), "\(text)")
            #expect(JSONReader.isObject(#"{"s":"# + text + "}"), "\(text)")
        }
        let answer = try ResponseBuffer.parseResponse(Array(#"{"data":{"a":"cut \ud83d","b":2}}"#.utf8))
        #expect(answer.hasData && !answer.hasErrors)
    }

    @Test func aRawControlCharacterOrAnUnterminatedStringIsRefused() {
        for bad in ["\"abcdefghij\u{1}klm\"", "\"abcdefghijklmnopq", "\"abcdefgh\\"] {
            #expect(throws: JSONReader.Failure.self, "\(bad.debugDescription)") { try JSONReader.parse(bad) }
        }
    }
}
