import OrderedCollections

/// The keys of an object in the response tree, in order — shared by every object built with the
/// same keys, as a JavaScript engine's hidden classes are. A subgraph's answer holds hundreds of
/// objects of a handful of shapes: sharing the shape saves each object its key array, and lets a
/// reader that looked a key up once in a shape reuse the position for every object of it
/// (`ResultShape.Lookup`), and an entity merge plan its moves once per pair of shapes.
///
/// Shapes grow from a root (`ResultShape()`) one key at a time (`adding`), each remembering the
/// shapes made from it, so objects built the same way meet at the same shape. A shape and those
/// grown from it belong to the owner of the tree they describe (one task at a time): they are
/// not `Sendable`. An object with many keys, or whose shape has many different successors (free-form
/// JSON), gets a private shape that grows in place and is shared with no other object.
public final class ResultShape {
    public private(set) var keys: [String]
    /// Not shared: `adding` appends in place (the one object that holds it is the one growing).
    private let isPrivate: Bool
    /// Positions by key, for large shapes (first occurrence of a repeated key).
    private var index: [String: Int]?
    /// Shapes one key longer, by that key (also as UTF-8, for a reader that has only bytes).
    private var successors: [(key: String, utf8: [UInt8], shape: ResultShape)] = []
    /// Where `__typename` is: -2 not looked for yet, -1 absent.
    private var typenameAt = -2
    /// Merge plans by the merged object's shape (held, so that its identity stays its own).
    private var merges: [(other: ResultShape, plan: MergePlan)] = []
    /// The shape with keys renamed, and the renames it was made with.
    private var renamed: (renames: [String: String], shape: ResultShape)?

    /// Beyond these, objects get private shapes (no quadratic chain of prefixes, no long scans).
    static let maxSharedKeys = 32
    static let maxSuccessors = 16

    /// A root: the shape of an empty object, from which a tree builder grows its shapes.
    public init() {
        keys = []
        isPrivate = false
    }

    private init(keys: [String], isPrivate: Bool) {
        self.keys = keys
        self.isPrivate = isPrivate
    }

    /// A shape of its own for one object.
    static func privateShape(_ keys: [String] = []) -> ResultShape { ResultShape(keys: keys, isPrivate: true) }

    /// This shape with `key` appended.
    public func adding(_ key: String) -> ResultShape {
        if isPrivate {
            keys.append(key)
            if index != nil, index![key] == nil { index![key] = keys.count - 1 }
            typenameAt = -2
            return self
        }
        for s in successors where s.key == key { return s.shape }
        var grown = keys
        grown.append(key)
        if keys.count >= Self.maxSharedKeys || successors.count >= Self.maxSuccessors {
            return ResultShape(keys: grown, isPrivate: true)
        }
        let shape = ResultShape(keys: grown, isPrivate: false)
        successors.append((key, Array(key.utf8), shape))
        return shape
    }

    /// The shape one key longer whose new key is `utf8` (unescaped), if there is one already.
    func successor(utf8 key: UnsafeRawBufferPointer) -> ResultShape? {
        for s in successors where s.utf8.count == key.count {
            let equal = s.utf8.withUnsafeBytes { $0.elementsEqual(key) }
            if equal { return s.shape }
        }
        return nil
    }

    /// The position of `key` (its first occurrence).
    public func position(_ key: String) -> Int? {
        if keys.count <= 16 { return keys.firstIndex(of: key) }
        if index == nil {
            var d = [String: Int](minimumCapacity: keys.count)
            for (i, k) in keys.enumerated() where d[k] == nil { d[k] = i }
            index = d
        }
        return index![key]
    }

    /// The position of `__typename`.
    public var typenamePosition: Int? {
        if typenameAt == -2 { typenameAt = position("__typename") ?? -1 }
        return typenameAt >= 0 ? typenameAt : nil
    }

    /// How the members of an object of shape `other` go into an object of this shape: for each
    /// of `other`'s keys, the position it takes (an existing member, or the next new one), and the
    /// shape after.
    struct MergePlan {
        let positions: [Int]
        let result: ResultShape
    }

    func mergePlan(_ other: ResultShape) -> MergePlan {
        let cacheable = !isPrivate && !other.isPrivate
        if cacheable { for m in merges where m.other === other { return m.plan } }
        var result = self
        var positions: [Int] = []
        positions.reserveCapacity(other.keys.count)
        var count = keys.count
        for k in other.keys {
            if let p = result.position(k) { positions.append(p); continue }
            result = result.adding(k)
            positions.append(count)
            count += 1
        }
        let plan = MergePlan(positions: positions, result: result)
        if cacheable { merges.append((other, plan)) }
        return plan
    }

    /// This shape with keys renamed (those not in `renames` stay).
    func renaming(_ renames: [String: String]) -> ResultShape {
        if !isPrivate, let r = renamed, r.renames == renames { return r.shape }
        let shape = ResultShape(keys: keys.map { renames[$0] ?? $0 }, isPrivate: isPrivate)
        if !isPrivate { renamed = (renames, shape) }
        return shape
    }

    /// A key's position remembered for the last shape it was looked up in: a reader that visits
    /// many objects of one shape (a list of entities) finds the key once. The shape is remembered
    /// by identity only: use a lookup while the tree it reads is not changed (a shared shape
    /// lives as long as its objects, so its identity cannot be taken by another meanwhile; a
    /// private one, which changes in place, is looked into every time).
    public struct Lookup {
        public let key: String
        private unowned(unsafe) var shape: ResultShape?
        private var at = -1

        public init(_ key: String) { self.key = key }

        @inline(__always)
        public mutating func position(in node: ResultNode) -> Int? {
            guard let s = node.shape else { return nil }
            if s !== shape || s.isPrivate { remember(s) }
            return at >= 0 ? at : nil
        }

        private mutating func remember(_ s: ResultShape) {
            shape = s
            at = s.position(key) ?? -1
        }

        @inline(__always)
        public mutating func cell(in node: ResultNode) -> ResultNode.Cell? {
            guard let i = position(in: node) else { return nil }
            return node.cells[i]
        }
    }
}

/// A container of the response tree: an object's members (its keys in its shape) or a list's
/// items. The executor writes its result into it, a subgraph's HTTP body is read straight into
/// it (`JSONReader.parseResponse`), the federation executor merges entity answers into it, and it
/// is written to bytes without a JSON value in between. A tree has one owner at a time.
public final class ResultNode {
    public enum Cell {
        case json(JSON)
        case node(ResultNode)
        /// Not resolved yet (the executor's placeholder); read as null.
        case pending
    }
    /// An object's keys, in order; nil for a list.
    public internal(set) var shape: ResultShape?
    public var cells: [Cell] = []
    unowned(unsafe) var parent: ResultNode?
    var indexInParent = 0
    var nonNullInParent = false
    var isNull = false

    /// An empty object (with a shape of its own) or list.
    public init(isObject: Bool) { shape = isObject ? ResultShape.privateShape() : nil }

    /// An empty object whose shape grows from `shape` (a builder's root, shared by its objects).
    public init(shape: ResultShape) { self.shape = shape }

    public var isObject: Bool { shape != nil }

    /// Response keys of an object, in order; nil for a list.
    public var keys: [String]? { shape?.keys }

    /// Appends a member without looking for an existing one (the executor's collected keys are
    /// unique, and so are a JSON object's as read).
    public func append(_ key: String, _ cell: Cell) {
        shape = shape!.adding(key)
        cells.append(cell)
    }

    func reserve(_ n: Int) {
        cells.reserveCapacity(cells.count + n)
    }

    /// Position of an object's member.
    public func position(_ key: String) -> Int? { shape?.position(key) }

    /// An object's member.
    public subscript(key: String) -> Cell? {
        guard let i = position(key) else { return nil }
        return cells[i]
    }

    /// Sets an object's member (replacing it in place, else appending it).
    public func set(_ key: String, _ cell: Cell) {
        if let i = position(key) { cells[i] = cell } else { append(key, cell) }
    }

    /// An object's member as a string, when it is one.
    public func string(_ key: String) -> String? {
        if case .json(.string(let s))? = self[key] { return s }
        return nil
    }

    /// An object's `__typename`, when it has one.
    public var typename: String? {
        guard let i = shape?.typenamePosition, case .json(.string(let s)) = cells[i] else { return nil }
        return s
    }

    /// Renames an object's keys in place (keys not in `renames` stay).
    public func renameKeys(_ renames: [String: String]) {
        guard let shape else { return }
        self.shape = shape.renaming(renames)
    }

    /// Deep merge of another object's members into this one (an entity answer merged into
    /// place): objects merge member by member, lists of equal length item by item, anything
    /// else is replaced by the other's value.
    public func merge(_ other: ResultNode) {
        guard let mine = shape, let theirs = other.shape else { return }
        let plan = mine.mergePlan(theirs)
        cells.reserveCapacity(plan.result.keys.count)
        for (j, cell) in other.cells.enumerated() {
            let p = plan.positions[j]
            if p < cells.count { cells[p] = Self.merged(cells[p], cell) } else { cells.append(cell) }
        }
        shape = plan.result
    }

    static func merged(_ a: Cell, _ b: Cell) -> Cell {
        switch (a, b) {
        case (.node(let x), .node(let y)) where x.isObject && y.isObject:
            x.merge(y)
            return a
        case (.node(let x), .node(let y)) where !x.isObject && !y.isObject && x.cells.count == y.cells.count:
            for j in x.cells.indices { x.cells[j] = merged(x.cells[j], y.cells[j]) }
            return a
        default:
            return b
        }
    }

    /// The tree as bytes.
    public var bytes: [UInt8] {
        var w = JSONWriter()
        write(&w)
        return w.bytes
    }

    public func write(_ w: inout JSONWriter) {
        if isNull { w.append("null"); return }
        if let keys {
            w.bytes.append(UInt8(ascii: "{"))
            for i in 0..<cells.count {
                if i > 0 { w.bytes.append(UInt8(ascii: ",")) }
                w.writeString(keys[i])
                w.bytes.append(UInt8(ascii: ":"))
                Self.write(cells[i], &w)
            }
            w.bytes.append(UInt8(ascii: "}"))
        } else {
            w.bytes.append(UInt8(ascii: "["))
            for i in 0..<cells.count {
                if i > 0 { w.bytes.append(UInt8(ascii: ",")) }
                Self.write(cells[i], &w)
            }
            w.bytes.append(UInt8(ascii: "]"))
        }
    }

    public static func write(_ cell: Cell, _ w: inout JSONWriter) {
        switch cell {
        case .json(let j): w.write(j)
        case .node(let n): n.write(&w)
        case .pending: w.append("null")
        }
    }

    public var json: JSON {
        if isNull { return .null }
        func cellJSON(_ c: Cell) -> JSON {
            switch c {
            case .json(let j): return j
            case .node(let n): return n.json
            case .pending: return .null
            }
        }
        if let keys {
            var o = OrderedDictionary<String, JSON>(minimumCapacity: cells.count)
            for i in 0..<cells.count { o[keys[i]] = cellJSON(cells[i]) }
            return .object(o)
        }
        return .array(cells.map(cellJSON))
    }
}
