/// A key compared and hashed by its UTF-8 bytes: Swift's `String` equality is Unicode
/// canonical equivalence, and documents that differ only so ("é" precomposed, or "e" and
/// U+0301) are two documents with two literals — one plan or document for both served the
/// first one's value to the second. Also the fields validation merges (two string arguments
/// that differ so are different values, §5.3.2).
public struct ExactText: Hashable, Sendable {
    public let text: String
    public init(_ text: String) { self.text = text }
    public static func == (a: ExactText, b: ExactText) -> Bool {
        var x = a.text, y = b.text
        return x.withUTF8 { p in y.withUTF8 { q in p.count == q.count && p.elementsEqual(q) } }
    }
    public func hash(into hasher: inout Hasher) {
        var t = text
        t.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
