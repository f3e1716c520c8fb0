import GraphQLCore
import OrderedCollections

/// Writes the client's `data` from the merged buffer to bytes in one walk: the client's operation
/// is applied to the tree (CollectFields per runtime type, aliases, `@skip`/`@include`, result
/// coercion of leaves, `__typename`) with the specification's null propagation — what
/// executing the operation over the tree with the general executor gives, without building a
/// JSON copy of the tree or of the answer. A null that propagates takes back the bytes written
/// for the object or list it nulls.
/// Introspection (`__schema`, `__type`) is left to the executor.
struct Shaper {
    let schema: Schema
    /// The merged answers.
    let tree: ResponseBuffer
    let collector: FieldCollector
    let source: Source?
    var errors: [GraphQLError] = []
    /// Each error's response path, innermost element first: filled in as the walk comes back
    /// out of the fields and list items the error was found in (no path is kept while nothing fails).
    private var reversedPaths: [[PathElement]] = []
    /// Collected fields per selection-set list and runtime type (lists of objects reuse them).
    private var plans: [PlanKey: [FieldStep]] = [:]
    /// The bytes written so far.
    private var out = JSONWriter()
    /// A fetch failed: a value missing from the tree is explained by that fetch's error (a
    /// subgraph whose data came back null leaves its sibling fields out), so a non-null field
    /// without a value nulls its parent without an error of its own.
    var missingIsExplained = false
    /// Fields (by source offset) answered `null` whatever their type: authorization removed
    /// them from the plan and reported each.
    var nulled: Set<Int32> = []

    /// A selection-set list (by the spans of its sets) and a runtime type.
    struct PlanKey: Hashable {
        let first: Int
        let count: Int
        let spanSum: Int
        let type: ObjectIdentifier
    }

    /// One response key of an object: its field nodes, definition and named type, looked up once.
    final class FieldStep {
        let responseKey: String
        let nodes: [Field]
        let isTypename: Bool
        let named: NamedType?
        /// `"<responseKey>":` as JSON, written once per step rather than once per object.
        let keyBytes: [UInt8]
        /// The field nodes' selection sets (what an object value of this step is completed with).
        let selectionSets: [SelectionSet]
        /// The steps of an object value, by its runtime type, collected the first time one comes
        /// (most fields see one type): no lookup by selection sets per object.
        var children: [(type: ObjectIdentifier, steps: [FieldStep])] = []
        /// The response key's id in the buffer (-2: no answer has it).
        let key: Int32
        /// The field's type unwrapped once (no matching on the type per value).
        let levels: TypeLevels
        init(responseKey: String, key: Int32, nodes: [Field], isTypename: Bool, type: TypeReference, named: NamedType?) {
            self.responseKey = responseKey
            self.levels = TypeLevels(type)
            self.key = key
            self.selectionSets = nodes.compactMap(\.selectionSet)
            var w = JSONWriter(capacity: responseKey.utf8.count + 3)
            w.writeString(responseKey)
            w.bytes.append(UInt8(ascii: ":"))
            self.keyBytes = w.bytes
            self.nodes = nodes
            self.isTypename = isTypename
            self.named = named
        }
    }

    init(schema: Schema, tree: ResponseBuffer, fragments: [String: FragmentDefinition], variables: OrderedDictionary<String, JSON>, source: Source?) {
        self.schema = schema
        self.tree = tree
        self.collector = FieldCollector(schema: schema, fragments: fragments, variables: variables)
        self.source = source
    }

    /// How completing a value ended: written, null (nothing written; the caller decides
    /// whether a null may stand there), or a null that must propagate to the nearest nullable
    /// position (what was written for it is taken back there).
    enum Completed {
        case value
        case null
        case propagate
    }

    /// The response's `data`, written to bytes in the client's field order (null when a
    /// non-null root field came back null).
    mutating func shape(_ operation: OperationDefinition, root: Int32) -> [UInt8] {
        out = JSONWriter(capacity: 16_384)
        guard let rootName = schema.rootTypeName(operation.operation), let rootType = schema.types[rootName] else { return Array("null".utf8) }
        if case .propagate = object(root, rootType, steps: steps(rootType, [operation.selectionSet])) {
            out.bytes.removeAll(keepingCapacity: true)
            out.append("null")
        }
        for i in errors.indices { errors[i].path = reversedPaths[i].reversed() }
        return out.bytes
    }

    /// The steps of an object of `type` selected by `sets` (collected once per request).
    mutating func steps(_ type: NamedType, _ sets: [SelectionSet]) -> [FieldStep] {
        let cacheable = sets.allSatisfy { $0.span != .none }
        let key = PlanKey(first: cacheable ? Int(sets.first?.span.start ?? 0) : 0, count: sets.count,
                          spanSum: cacheable ? sets.reduce(0) { $0 &+ Int($1.span.start) } : 0, type: ObjectIdentifier(type))
        if cacheable, let cached = plans[key] { return cached }
        let steps = collector.collect(type, sets).compactMap { responseKey, nodes -> FieldStep? in
            let name = nodes[0].name.value
            if name == "__typename" {
                return FieldStep(responseKey: responseKey, key: -2, nodes: nodes, isTypename: true, type: .named(Name("String")), named: nil)
            }
            guard let def = schema.field(type, name) else { return nil }
            return FieldStep(responseKey: responseKey, key: tree.keys.find(responseKey) ?? -2, nodes: nodes, isTypename: false, type: def.type,
                             named: schema.types[def.type.namedType.value])
        }
        if cacheable { plans[key] = steps }
        return steps
    }

    /// The steps of an object value of `parent`'s field, of runtime type `type`.
    mutating func steps(_ type: NamedType, of parent: FieldStep) -> [FieldStep] {
        let id = ObjectIdentifier(type)
        for child in parent.children where child.type == id { return child.steps }
        let found = steps(type, parent.selectionSets)
        parent.children.append((id, found))
        return found
    }

    mutating func object(_ node: Int32, _ type: NamedType, steps: [FieldStep]) -> Completed {
        out.bytes.append(UInt8(ascii: "{"))
        for (i, step) in steps.enumerated() {
            if i > 0 { out.bytes.append(UInt8(ascii: ",")) }
            out.bytes.append(contentsOf: step.keyBytes)
            if step.isTypename {
                out.writeString(type.name)
                continue
            }
            if !nulled.isEmpty, nulled.contains(step.nodes[0].span.start) {
                out.append("null")
                continue
            }
            let before = errors.count
            let r = complete(tree.member(node, step.key), 0, step, parent: type)
            if errors.count > before { within(before, .key(step.responseKey)) }
            if case .propagate = r { return .propagate }
        }
        out.bytes.append(UInt8(ascii: "}"))
        return .value
    }

    /// Adds `element` to the paths of the errors found since `first` (they were found inside it).
    mutating func within(_ first: Int, _ element: PathElement) {
        for e in first..<errors.count { reversedPaths[e].append(element) }
    }

    /// CompleteValue at list level `level` of the step's type (0: the field itself): a null in a
    /// non-null position records the error and propagates; a position that is not non-null stops
    /// a propagation from inside as null.
    mutating func complete(_ value: ResponseBuffer.Value?, _ level: Int, _ step: FieldStep, parent: NamedType) -> Completed {
        if step.levels.nonNullAt[level] {
            if value == nil, missingIsExplained { return .propagate }
            let r = completeInner(value, level, step, parent: parent)
            if case .null = r {
                error("Cannot return null for non-nullable field \(parent.name).\(step.nodes[0].name.value).", step.nodes)
                return .propagate
            }
            return r
        }
        let mark = out.bytes.count
        switch completeInner(value, level, step, parent: parent) {
        case .value: return .value
        case .null, .propagate:
            out.bytes.removeSubrange(mark...)
            out.append("null")
            return .value
        }
    }

    /// Completion of a list, leaf or composite value (errors are recorded and propagate).
    mutating func completeInner(_ value: ResponseBuffer.Value?, _ level: Int, _ step: FieldStep, parent: NamedType) -> Completed {
        guard let value else { return .null }
        if level < step.levels.listDepth {
            switch value.kind {
            case .null: return .null
            case .list:
                out.bytes.append(UInt8(ascii: "["))
                let items = value.items
                for s in items {
                    if s != items.lowerBound { out.bytes.append(UInt8(ascii: ",")) }
                    let before = errors.count
                    let r = complete(tree.values[s], level + 1, step, parent: parent)
                    if errors.count > before { within(before, .index(s - items.lowerBound)) }
                    if case .propagate = r { return .propagate }
                }
                out.bytes.append(UInt8(ascii: "]"))
                return .value
            default:
                // A single value where a list is expected is a list of one (result coercion).
                out.bytes.append(UInt8(ascii: "["))
                let before = errors.count
                let r = complete(value, level + 1, step, parent: parent)
                if errors.count > before { within(before, .index(0)) }
                if case .propagate = r { return .propagate }
                out.bytes.append(UInt8(ascii: "]"))
                return .value
            }
        }
        guard let declared = step.named else { return .null }
        switch value.kind {
        case .null:
            return .null
        case .object where declared.kind == .scalar && declared.builtInScalar == nil,
             .list where declared.kind == .scalar && declared.builtInScalar == nil:
            // A custom scalar's value (a JSON object or list, say) passes through untouched.
            tree.write(value, &out)
            return .value
        case .object:
            guard declared.kind.isComposite else {
                error("Field \(parent.name).\(step.nodes[0].name.value) returned an object for non-object type \(step.levels.namedTypeName).", step.nodes)
                return .propagate
            }
            var runtime = declared
            if declared.kind != .object {
                let name = tree.typename(value.object)
                if let name, let t = schema.types[name], t.kind == .object, schema.isPossibleType(declared, name) {
                    runtime = t
                } else if let name, schema.types[name] == nil {
                    // An object of a type the API schema hides (@inaccessible) is not shown.
                    return .null
                } else if declared.kind != .interface {
                    error("Abstract type \"\(step.levels.namedTypeName)\" must resolve to an Object type at runtime for field \"\(parent.name).\(step.nodes[0].name.value)\".", step.nodes)
                    return .propagate
                }
                // An interface known only through an @interfaceObject (no subgraph says which
                // object it is): its own fields are answered, fragments on objects are not.
            }
            return object(value.object, runtime, steps: steps(runtime, of: step))
        case .list:
            error("Field \(parent.name).\(step.nodes[0].name.value) returned a list for \(step.levels.namedTypeName).", step.nodes)
            return .propagate
        default:
            return leaf(value, declared, step)
        }
    }

    /// A scalar completed as a leaf of `declared` (result coercion): values that already are
    /// what the type says are copied as they are; the rest go through the schema's coercion.
    mutating func leaf(_ value: ResponseBuffer.Value, _ declared: NamedType, _ step: FieldStep) -> Completed {
        switch declared.kind {
        case .scalar:
            switch declared.builtInScalar {
            case .string?, .id?:
                if value.isString { tree.write(value, &out); return .value }
            case .int?:
                if value.kind == .int, value.int >= Int(Int32.min), value.int <= Int(Int32.max) { out.writeInt(value.int); return .value }
            case .float?:
                if value.kind == .double, value.double.isFinite { out.writeDouble(value.double); return .value }
            case .boolean?:
                if value.kind == .bool { tree.write(value, &out); return .value }
            case nil:
                tree.write(value, &out)   // a custom scalar's value passes through
                return .value
            }
        case .enumType:
            if value.isString, declared.enumValues[tree.string(value)] != nil { tree.write(value, &out); return .value }
        default:
            break
        }
        let json = tree.json(value)
        guard declared.kind.isLeaf, let v = schema.serializeLeaf(declared, json) else {
            let what = declared.kind == .enumType ? "Enum \"\(step.levels.namedTypeName)\" cannot represent value: \(json.text)"
                : "\(step.levels.namedTypeName) cannot represent value: \(json.text)"
            error(what, step.nodes)
            return .propagate
        }
        out.write(v)
        return .value
    }

    /// Records an error; its path is filled in on the way out.
    mutating func error(_ message: String, _ nodes: [Field]) {
        let locations = source.flatMap { s in nodes.first.map { [s.location(of: Int($0.span.start))] } } ?? []
        errors.append(GraphQLError(message, locations: locations, path: nil))
        reversedPaths.append([])
    }
}
