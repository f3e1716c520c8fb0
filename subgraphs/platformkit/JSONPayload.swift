import GraphQLCore

/// JSON objects kept as `jsonb` (event data and metadata, snapshots, task payloads), bounded by
/// the size PostgreSQL writes them back at, not the size they were sent at: `jsonb` keeps a
/// number's value and writes it out in full (`1e100000`, 8 bytes in, is 100,001 digits out), so
/// a bound on the text sent alone let a small request store answers of gigabytes.
public enum JSONPayload {
    /// The bytes PostgreSQL writes back for `text` stored as `jsonb` (an upper bound: strings at
    /// most as long as sent, a space after each `,` and `:`, numbers written out in full), or nil
    /// when `text` is not a JSON object.
    public static func storedBytes(_ text: String) -> Int? {
        guard JSONReader.isObject(text) else { return nil }
        var text = text
        return text.withUTF8 { storedBytes(UnsafeRawBufferPointer($0)) }
    }

    /// Checks that `text` is a JSON object of at most `maxBytes`, as sent and as stored.
    /// - Parameter name: how the error names the value (`events[3].data`).
    public static func check(_ text: String, _ name: String, maxBytes: Int) throws {
        guard text.utf8.count <= maxBytes else {
            throw GraphQLError("\(name) is \(text.utf8.count) bytes; at most \(maxBytes) are accepted.", code: "BAD_USER_INPUT",
                               extensions: ["maxBytes": .int(maxBytes)])
        }
        guard let stored = storedBytes(text) else {
            throw GraphQLError("\(name) must be a JSON object, nested at most 128 levels deep.", code: "BAD_USER_INPUT")
        }
        guard stored <= maxBytes else {
            throw GraphQLError("\(name) is \(stored) bytes as stored (its numbers written out in full); at most \(maxBytes) are accepted.",
                               code: "BAD_USER_INPUT", extensions: ["maxBytes": .int(maxBytes)])
        }
    }

    /// For valid JSON only.
    static func storedBytes(_ b: UnsafeRawBufferPointer) -> Int {
        var total = 0, i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            switch c {
            case UInt8(ascii: "\""):
                // A string: as long as sent at most (escapes are written back as sent or shorter).
                var j = i + 1
                while j < n, b[j] != UInt8(ascii: "\"") { j += b[j] == UInt8(ascii: "\\") ? 2 : 1 }
                total += j + 1 - i
                i = j + 1
            case UInt8(ascii: ","), UInt8(ascii: ":"):
                total += 2
                i += 1
            case 0x20, 0x0A, 0x0D, 0x09:
                i += 1
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let (length, end) = numberLength(b, from: i)
                total += length
                i = end
            default:   // braces, brackets, true, false, null: as sent
                total += 1
                i += 1
            }
        }
        return total
    }

    /// The length of the number at `start` as PostgreSQL's `numeric` writes it (no exponent: all
    /// its integer digits, and as many fraction digits as its scale), and where its text ends.
    static func numberLength(_ b: UnsafeRawBufferPointer, from start: Int) -> (Int, Int) {
        var i = start, sign = 0
        if b[i] == UInt8(ascii: "-") { sign = 1; i += 1 }
        func isDigit(_ k: Int) -> Bool { k < b.count && b[k] >= UInt8(ascii: "0") && b[k] <= UInt8(ascii: "9") }
        // Integer digits without leading zeros.
        var integer = 0
        while isDigit(i) {
            if integer > 0 || b[i] != UInt8(ascii: "0") { integer += 1 }
            i += 1
        }
        var fraction = 0, leadingFractionZeros = 0, seenNonZero = false
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            while isDigit(i) {
                if b[i] != UInt8(ascii: "0") { seenNonZero = true } else if !seenNonZero { leadingFractionZeros += 1 }
                fraction += 1
                i += 1
            }
        }
        var exponent = 0
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            var negative = false
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { negative = b[i] == UInt8(ascii: "-"); i += 1 }
            while isDigit(i) {
                exponent = min(exponent * 10 + Int(b[i] - UInt8(ascii: "0")), 1_000_000_000)   // past any bound anyway
                i += 1
            }
            if negative { exponent = -exponent }
        }
        let before = integer > 0 ? max(1, integer + exponent) : max(1, exponent - leadingFractionZeros)
        let after = max(0, fraction - exponent)
        return (sign + before + (after > 0 ? 1 + after : 0), i)
    }
}
