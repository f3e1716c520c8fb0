import OrderedCollections

/// The keys of an object in the executor's result tree, in order — shared by every object built
/// with the same keys, as a JavaScript engine's hidden classes are: a list of a hundred objects of
/// one selection holds one key array, not a hundred.
///
/// Shapes grow from a root (`ResultShape()`) one key at a time (`adding`), each remembering the
/// shapes made from it, so objects built the same way meet at the same shape. A shape and those
/// grown from it belong to the owner of the tree they describe (one task at a time): they are
/// not `Sendable`. An object with many keys, or whose shape has many different successors, gets a
/// private shape that grows in place and is shared with no other object.
public final class ResultShape {
    public private(set) var keys: [String]
    /// Not shared: `adding` appends in place (the one object that holds it is the one growing).
    private let isPrivate: Bool
    /// Shapes one key longer, by that key.
    private var successors: [(key: String, shape: ResultShape)] = []

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
            return self
        }
        for s in successors where s.key == key { return s.shape }
        var grown = keys
        grown.append(key)
        if keys.count >= Self.maxSharedKeys || successors.count >= Self.maxSuccessors {
            return ResultShape(keys: grown, isPrivate: true)
        }
        let shape = ResultShape(keys: grown, isPrivate: false)
        successors.append((key, shape))
        return shape
    }
}

/// A container of the executor's result tree: an object's members (its keys in its shape) or a
/// list's items. Resolvers complete into it out of order (an async field's cell is `pending`
/// until it comes); it is written to bytes without a JSON value in between, or copied into a
/// plan run's `ResponseBuffer` when the executor answers for an in-process subgraph. A tree has
/// one owner at a time.
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
    public internal(set) var isNull = false

    /// An empty object (with a shape of its own) or list.
    public init(isObject: Bool) { shape = isObject ? ResultShape.privateShape() : nil }

    /// An empty object whose shape grows from `shape` (a builder's root, shared by its objects).
    public init(shape: ResultShape) { self.shape = shape }

    public var isObject: Bool { shape != nil }

    /// Response keys of an object, in order; nil for a list.
    public var keys: [String]? { shape?.keys }

    /// Appends a member without looking for an existing one (the executor's collected keys are
    /// unique).
    public func append(_ key: String, _ cell: Cell) {
        shape = shape!.adding(key)
        cells.append(cell)
    }

    func reserve(_ n: Int) {
        cells.reserveCapacity(cells.count + n)
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
