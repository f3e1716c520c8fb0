/// GraphQL source text as UTF-8 bytes, with offset → line/column mapping.
public struct Source: Sendable {
    public let bytes: [UInt8]
    public let name: String
    private let lineStarts: [Int]
    /// Unicode scalars before each 512-byte block (empty for short sources): a column is
    /// counted from the nearest block, not from its line's start — a long line's many error
    /// locations cost each a block, not the line (probe 53C: locations × line length).
    private let scalarsBefore: [Int]
    private static let block = 512

    public init(_ text: String, name: String = "GraphQL request") {
        self.init(bytes: Array(text.utf8), name: name)
    }

    public init(bytes: [UInt8], name: String = "GraphQL request") {
        self.bytes = bytes
        self.name = name
        // One pass: where each line starts and, past one block, the scalars before each block.
        var starts = [0], before: [Int] = [], scalars = 0
        let n = bytes.count
        let blocks = n > Self.block
        if blocks { before.reserveCapacity(n / Self.block + 1) }
        for k in 0..<n {
            let b = bytes[k]
            if blocks {
                if k % Self.block == 0 { before.append(scalars) }
                if b & 0xC0 != 0x80 { scalars += 1 }
            }
            // LF, CR LF (the line starts after the LF) and CR alone end a line.
            if b == 0x0A || (b == 0x0D && !(k + 1 < n && bytes[k + 1] == 0x0A)) { starts.append(k + 1) }
        }
        if blocks, n % Self.block == 0 { before.append(scalars) }
        lineStarts = starts
        scalarsBefore = before
    }

    /// Unicode scalars in `bytes[from..<to]`.
    private func scalars(_ from: Int, _ to: Int) -> Int {
        guard to > from else { return 0 }
        if scalarsBefore.isEmpty || to - from < 2 * Self.block {
            var c = 0
            for i in from..<to where bytes[i] & 0xC0 != 0x80 { c += 1 }
            return c
        }
        func prefix(_ x: Int) -> Int {
            let b = x / Self.block
            var c = scalarsBefore[b]
            for i in (b * Self.block)..<x where bytes[i] & 0xC0 != 0x80 { c += 1 }
            return c
        }
        return prefix(to) - prefix(from)
    }

    /// 1-based line and column (columns count Unicode scalars) of a byte offset.
    public func location(of offset: Int) -> SourceLocation {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        // the scalars before the offset on its line, counted from 1
        let column = 1 + scalars(lineStarts[lo], max(lineStarts[lo], min(offset, bytes.count)))
        return SourceLocation(line: lo + 1, column: column)
    }
}

public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
    public var description: String { "\(line):\(column)" }
}

/// Byte range of a node in its source.
public struct Span: Sendable, Hashable {
    public var start: Int32
    public var end: Int32
    public init(_ start: Int, _ end: Int) {
        self.start = Int32(truncatingIfNeeded: start)
        self.end = Int32(truncatingIfNeeded: end)
    }
    public static let none = Span(0, 0)
}
