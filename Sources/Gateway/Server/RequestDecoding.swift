import CompressNIO
import GraphQLCore
import HTTPTypes
import Hummingbird
import NIOCore

/// Stage: decoding. The HTTP request's GraphQL parameters: a POST body (media type, size limit
/// before and while reading, decompression bounded by the same limit, JSON with a nesting
/// limit, a batch when enabled) or a GET query string.
enum RequestDecoding {
    /// One request, or a batch of them (each decoded on its own: one bad entry fails alone).
    enum Decoded {
        case one(GraphQLRequest)
        case batch([Result<GraphQLRequest, PipelineError>])
    }

    typealias Refusal = Admission.Refusal

    /// The media type of a POST body; 415 unless JSON.
    static func checkMediaType(_ request: Request) throws(Refusal) {
        let given = request.headers[.contentType] ?? ""
        if given == "application/json" { return }   // what nearly every client sends, checked without copies
        let contentType = given.lowercased()
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingSpaces() } ?? ""
        guard mediaType == "application/json" || mediaType == "application/graphql-response+json" else {
            throw Refusal(response: ResponseWriting.plain(415, "Unsupported Media Type: send application/json"))
        }
        // UTF-8 only (GraphQL over HTTP: no charset means UTF-8; other encodings are a server's
        // option, not taken): a body in another charset would be read wrong, not refused.
        for parameter in contentType.split(separator: ";").dropFirst() {
            let p = parameter.trimmingSpaces()
            guard p.hasPrefix("charset=") else { continue }
            var charset = p.dropFirst("charset=".count)
            if charset.count >= 2, charset.hasPrefix("\""), charset.hasSuffix("\"") { charset = charset.dropFirst().dropLast() }
            guard charset == "utf-8" || charset == "utf8" else {
                throw Refusal(response: ResponseWriting.plain(415, "Unsupported charset \(charset): send UTF-8"))
            }
        }
    }

    static func post(_ request: Request, limits: LimitsConfiguration, _ accepted: ResponseWriting.Accepted) async throws(Refusal) -> Decoded {
        func refuse(_ status: Int, _ message: String, _ code: String) -> Refusal {
            Refusal(status, [GraphQLError(message, code: code)], accepted)
        }
        let limit = limits.maxBodyBytes ?? Int.max
        let tooLarge = refuse(413, "The request body is larger than \(limit) bytes.", "PAYLOAD_TOO_LARGE")
        // A declared length over the limit is refused before a byte of the body is read (the
        // server still drains what the client sends, so that the connection stays usable and
        // the client is not reset before it reads the 413).
        // A length of digits past Int's range (the HTTP parser takes up to 2^64 − 1) is over it
        // too: it read as no length, and the request waited for its body until the timeout.
        if let declared = request.headers[.contentLength] {
            if let n = Int(declared) { if n > limit { throw tooLarge } }
            else if !declared.isEmpty, declared.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) { throw tooLarge }
        }
        var body: ByteBuffer
        do { body = try await request.body.collect(upTo: limit) } catch is NIOTooManyBytesError { throw tooLarge } catch {
            // A malformed chunked body, or the connection closed (or timed out) before its end.
            throw refuse(400, "The request body could not be read: it is malformed or ended early.", "BAD_REQUEST")
        }
        // Compressed bodies: the decompressed size counts against the same limit, so a
        // decompression bomb stops at max_body_bytes instead of filling memory.
        if let encoding = request.headers[.contentEncoding]?.lowercased().trimmingSpaces(), encoding != "identity" {
            let algorithm: CompressionAlgorithm
            switch encoding {
            case "gzip", "x-gzip": algorithm = .gzip()
            case "deflate": algorithm = .zlib()
            default: throw Refusal(response: ResponseWriting.plain(415, "Unsupported Content-Encoding \(encoding): use gzip or deflate"))
            }
            // The stream's trailer, to tell a whole stream from one cut short (the decompressor
            // takes a stream that ends early as its end).
            let trailer = body.getBytes(at: body.readerIndex + max(0, body.readableBytes - 8), length: min(8, body.readableBytes)) ?? []
            do {
                body = try body.decompress(with: algorithm, maxSize: limit)
            } catch let e as CompressNIOError where e == .bufferOverflow {
                throw refuse(413, "The decompressed request body is larger than \(limit) bytes.", "PAYLOAD_TOO_LARGE")
            } catch {
                throw refuse(400, "The request body is not valid \(encoding) data.", "BAD_REQUEST")
            }
            // The decompressor checks its limit as its buffer grows (it may end up to about half
            // as much again): the limit is the decompressed body's exact size.
            if body.readableBytes > limit {
                throw refuse(413, "The decompressed request body is larger than \(limit) bytes.", "PAYLOAD_TOO_LARGE")
            }
            guard StreamTrailer.matches(trailer, body.readableBytesView, gzip: encoding != "deflate") else {
                throw refuse(400, "The request body is not valid \(encoding) data: the stream is cut short or corrupt.", "BAD_REQUEST")
            }
        }
        let bytes = body.readBytes(length: body.readableBytes) ?? []
        // JSON text is UTF-8 (RFC 8259 § 8.1): a body that is not is refused, not read with
        // replacement characters (which would change what the client sent).
        let isUTF8 = bytes.withUnsafeBufferPointer { b in !JSONBytes.anyNonASCII(b) || String(validating: b, as: UTF8.self) != nil }
        guard isUTF8 else { throw refuse(400, "The request body is not valid UTF-8.", "BAD_REQUEST") }
        let json: JSON
        do {
            json = try JSONReader.parse(bytes, maxDepth: 64)
        } catch let e as JSONReader.Failure {
            throw refuse(400, "The request body is not valid JSON: \(e.description).", e.isDepthExceeded ? "MAX_JSON_DEPTH_EXCEEDED" : "BAD_REQUEST")
        } catch {
            throw refuse(400, "Invalid JSON.", "BAD_REQUEST")
        }
        // A `query` written with a lone UTF-16 surrogate escape (`\ud800`): JSON reads it as U+FFFD,
        // but the client's document is not Unicode scalar values (GraphQL §2.1) — refused as a
        // document that does not parse, not run as another one.
        if bytes.contains(UInt8(ascii: "\\")), Self.hasLoneSurrogateEscape(bytes) {
            let queries: [JSON?] = json.arrayValue.map { $0.map { $0["query"] } } ?? [json["query"]]
            if queries.contains(where: { $0?.stringValue?.unicodeScalars.contains("\u{FFFD}") == true }) {
                throw refuse(400, "Syntax Error: the query holds a lone UTF-16 surrogate escape; a GraphQL document is Unicode scalar values only.",
                             "GRAPHQL_PARSE_FAILED")
            }
            // Elsewhere (a variable's string or member name, the operation name, extensions):
            // read as U+FFFD it would reach the resolvers as another value than the one sent, and
            // two names could become one (probe 54B) — a GraphQL string is Unicode scalar values.
            throw refuse(400, Self.loneSurrogateMessage, "BAD_REQUEST")
        }
        if case .array(let operations) = json {
            // Not a GraphQL-over-HTTP request when batching is off (its body is a map): 422, as for any other malformed request.
            guard let maxBatch = limits.maxBatch else { throw refuse(422, "Batched requests are not enabled.", "BATCHING_DISABLED") }
            guard operations.count <= maxBatch, !operations.isEmpty else {
                throw refuse(400, "A batch may hold 1 to \(maxBatch) operations; this one has \(operations.count).", "BATCH_LIMIT_EXCEEDED")
            }
            return .batch(operations.map { op in Result { () throws(PipelineError) in try GraphQLRequest.from(op) } })
        }
        do { return .one(try GraphQLRequest.from(json)) } catch {
            throw Refusal(error.status, error.errors, accepted)
        }
    }

    static let loneSurrogateMessage = "The request holds a lone UTF-16 surrogate escape (\\uD800–\\uDFFF, not half of a pair): GraphQL strings are Unicode scalar values only, and read as U+FFFD it would be another value than the one sent."

    /// Whether JSON text has a `\uD800`–`\uDFFF` escape that is not half of a pair.
    static func hasLoneSurrogateEscape(_ bytes: [UInt8]) -> Bool {
        func hex(_ i: Int) -> UInt32? {
            guard i + 4 <= bytes.count else { return nil }
            var v: UInt32 = 0
            for k in i..<(i + 4) {
                let c = bytes[k] | 0x20   // ASCII letters to lower case (digits keep their bits)
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): v = v << 4 | UInt32(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): v = v << 4 | UInt32(c - UInt8(ascii: "a") + 10)
                default: return nil
                }
            }
            return v
        }
        var i = 0
        while i + 1 < bytes.count {
            guard bytes[i] == UInt8(ascii: "\\") else { i += 1; continue }
            guard bytes[i + 1] == UInt8(ascii: "u"), let v = hex(i + 2) else { i += 2; continue }
            if (0xDC00...0xDFFF).contains(v) { return true }
            if (0xD800...0xDBFF).contains(v) {
                guard i + 7 < bytes.count, bytes[i + 6] == UInt8(ascii: "\\"), bytes[i + 7] == UInt8(ascii: "u"),
                      let lo = hex(i + 8), (0xDC00...0xDFFF).contains(lo) else { return true }
                i += 12
                continue
            }
            i += 6
        }
        return false
    }

    /// GET: `query`, `operationName`, and `variables`/`extensions` as JSON objects.
    static func get(_ request: Request, _ accepted: ResponseWriting.Accepted) throws(Refusal) -> GraphQLRequest {
        // Escapes that are not UTF-8 are refused, as a POST body that is not (not run as U+FFFD).
        guard let params = formDecoded(request.uri.query ?? "") else {
            throw Refusal(400, [GraphQLError("The query string is not valid UTF-8.", code: "BAD_REQUEST")], accepted)
        }
        var r = GraphQLRequest(query: params["query"])
        // An empty optional parameter is the parameter left out (GraphQL over HTTP, GET).
        if let name = params["operationName"], !name.isEmpty { r.operationName = name }
        for (key, target) in [("variables", 0), ("extensions", 1)] {
            guard let text = params[key], !text.isEmpty else { continue }
            if text.utf8.contains(UInt8(ascii: "\\")), hasLoneSurrogateEscape(Array(text.utf8)) {
                throw Refusal(400, [GraphQLError(loneSurrogateMessage, code: "BAD_REQUEST")], accepted)
            }
            let parsed: JSON
            do { parsed = try JSONReader.parse(text, maxDepth: 64) } catch {
                // Nested past the limit: the limit's code, as for a POST body.
                if let e = error as? JSONReader.Failure, e.isDepthExceeded {
                    throw Refusal(400, [GraphQLError("The \"\(key)\" parameter is not valid JSON: \(e.description).", code: "MAX_JSON_DEPTH_EXCEEDED")], accepted)
                }
                throw Refusal(422, [GraphQLError("The \"\(key)\" parameter must be a JSON object.", code: "BAD_REQUEST")], accepted)
            }
            if parsed == .null { continue }   // null: left out, as in a POST body
            guard case .object(let o) = parsed else {
                throw Refusal(422, [GraphQLError("The \"\(key)\" parameter must be a JSON object.", code: "BAD_REQUEST")], accepted)
            }
            if target == 0 { r.variables = o } else { r.extensions = o }
        }
        return r
    }

    /// A query string decoded as `application/x-www-form-urlencoded` (the URL standard): `+` is a
    /// space, percent escapes are bytes of UTF-8; the first occurrence of a name wins. Nil when
    /// the bytes are not UTF-8.
    static func formDecoded(_ query: String) -> [String: String]? {
        func hex(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        func decode(_ part: Substring) -> String? {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(part.utf8.count)
            var it = Array(part.utf8)[...]
            while let b = it.popFirst() {
                if b == UInt8(ascii: "+") { bytes.append(0x20); continue }
                if b == UInt8(ascii: "%"), it.count >= 2, let hi = hex(it[it.startIndex]), let lo = hex(it[it.startIndex + 1]) {
                    bytes.append(hi << 4 | lo)
                    it = it.dropFirst(2)
                    continue
                }
                bytes.append(b)
            }
            return String(validating: bytes, as: UTF8.self)
        }
        var out: [String: String] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(kv[0]), let value = kv.count > 1 ? decode(kv[1]) : "" else { return nil }
            if out[name] == nil { out[name] = value }
        }
        return out
    }
}

extension StringProtocol {
    /// Without the spaces and tabs around it (HTTP's optional whitespace), without Foundation.
    func trimmingSpaces() -> SubSequence {
        guard let first = firstIndex(where: { $0 != " " && $0 != "\t" }), let last = lastIndex(where: { $0 != " " && $0 != "\t" }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}

/// The check values at the end of a compressed body: gzip's CRC-32 and length (RFC 1952 § 2.3.1,
/// both little-endian), zlib's Adler-32 (RFC 1950 § 2.2, big-endian) of the decompressed data.
enum StreamTrailer {
    static func matches(_ trailer: [UInt8], _ data: ByteBufferView, gzip: Bool) -> Bool {
        if gzip {
            guard trailer.count == 8 else { return false }
            let crc = UInt32(trailer[0]) | UInt32(trailer[1]) << 8 | UInt32(trailer[2]) << 16 | UInt32(trailer[3]) << 24
            let size = UInt32(trailer[4]) | UInt32(trailer[5]) << 8 | UInt32(trailer[6]) << 16 | UInt32(trailer[7]) << 24
            return size == UInt32(truncatingIfNeeded: data.count) && crc == crc32(data)
        }
        guard trailer.count >= 4 else { return false }
        let t = trailer.suffix(4).map(UInt32.init)
        return (t[t.startIndex] << 24 | t[t.startIndex + 1] << 16 | t[t.startIndex + 2] << 8 | t[t.startIndex + 3]) == adler32(data)
    }

    static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ data: ByteBufferView) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        crcTable.withUnsafeBufferPointer { table in
            for b in data { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        }
        return c ^ 0xFFFF_FFFF
    }

    static func adler32(_ data: ByteBufferView) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var n = 0
        for byte in data {
            a += UInt32(byte)
            b += a
            n += 1
            if n == 5552 { a %= 65521; b %= 65521; n = 0 }   // no overflow before reducing
        }
        return (b % 65521) << 16 | (a % 65521)
    }
}
