import GraphQLCore
import OrderedCollections

/// Writes the client's response from the merged tree in one walk: the client's operation is
/// applied to the tree (CollectFields per runtime type, aliases, `@skip`/`@include`, result
/// coercion of leaves, `__typename`) with the specification's null propagation — what
/// executing the operation over the tree with the general executor gives, without building
/// a JSON copy of the tree, resolver closures and a result tree first.
/// Introspection (`__schema`, `__type`) is left to the executor.
struct Shaper {
    let schema: Schema
    let collector: FieldCollector
    let source: Source?
    var errors: [GraphQLError] = []
    /// The response path of the value being completed.
    private var path: [PathElement] = []
    /// Collected fields per selection-set list and runtime type (lists of objects reuse them).
    private var plans: [PlanKey: [FieldStep]] = [:]

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
        let type: TypeReference
        let named: NamedType?
        init(responseKey: String, nodes: [Field], isTypename: Bool, type: TypeReference, named: NamedType?) {
            self.responseKey = responseKey
            self.nodes = nodes
            self.isTypename = isTypename
            self.type = type
            self.named = named
        }
    }

    init(schema: Schema, fragments: [String: FragmentDefinition], variables: OrderedDictionary<String, JSON>, source: Source?) {
        self.schema = schema
        self.collector = FieldCollector(schema: schema, fragments: fragments, variables: variables)
        self.source = source
    }

    /// A completed value, or a null that must propagate to the nearest nullable position.
    enum Completed {
        case value(JSON)
        case propagate
    }

    /// The `data` of the response (null when a non-null root field came back null).
    mutating func shape(_ operation: OperationDefinition, root: ObjectNode) -> JSON {
        guard let rootName = schema.rootTypeName(operation.operation), let rootType = schema.types[rootName] else { return .null }
        switch object(root, rootType, [operation.selectionSet]) {
        case .value(let v): return v
        case .propagate: return .null
        }
    }

    mutating func object(_ node: ObjectNode, _ type: NamedType, _ sets: [SelectionSet]) -> Completed {
        let steps: [FieldStep]
        let cacheable = sets.allSatisfy { $0.span != .none }
        let key = PlanKey(first: cacheable ? Int(sets.first?.span.start ?? 0) : 0, count: sets.count,
                          spanSum: cacheable ? sets.reduce(0) { $0 &+ Int($1.span.start) } : 0, type: ObjectIdentifier(type))
        if cacheable, let cached = plans[key] {
            steps = cached
        } else {
            steps = collector.collect(type, sets).compactMap { responseKey, nodes in
                let name = nodes[0].name.value
                if name == "__typename" {
                    return FieldStep(responseKey: responseKey, nodes: nodes, isTypename: true, type: .named(Name("String")), named: nil)
                }
                guard let def = schema.field(type, name) else { return nil }
                return FieldStep(responseKey: responseKey, nodes: nodes, isTypename: false, type: def.type,
                                 named: schema.types[def.type.namedType.value])
            }
            if cacheable { plans[key] = steps }
        }
        var out = OrderedDictionary<String, JSON>()
        out.reserveCapacity(steps.count)
        for step in steps {
            if step.isTypename {
                out[step.responseKey] = .string(type.name)
                continue
            }
            path.append(.key(step.responseKey))
            let r = complete(node.fields[step.responseKey], step.type, step, parent: type.name)
            path.removeLast()
            switch r {
            case .value(let v): out[step.responseKey] = v
            case .propagate: return .propagate
            }
        }
        return .value(.object(out))
    }

    /// CompleteValue: a null in a non-null position records the error and propagates; a
    /// position that is not non-null stops a propagation from inside as null.
    mutating func complete(_ value: TreeValue?, _ type: TypeReference, _ step: FieldStep, parent: String) -> Completed {
        if case .nonNull(let inner) = type {
            let r = completeInner(value, inner, step, parent: parent)
            if case .value(.null) = r {
                error("Cannot return null for non-nullable field \(parent).\(step.nodes[0].name.value).", step.nodes)
                return .propagate
            }
            return r
        }
        let r = completeInner(value, type, step, parent: parent)
        if case .propagate = r { return .value(.null) }
        return r
    }

    /// Completion of a list, leaf or composite value (errors are recorded and propagate).
    mutating func completeInner(_ value: TreeValue?, _ type: TypeReference, _ step: FieldStep, parent: String) -> Completed {
        guard let value else { return .value(.null) }
        switch type {
        case .nonNull:
            return complete(value, type, step, parent: parent)
        case .list(let inner):
            let items: [TreeValue]
            switch value {
            case .list(let l): items = l
            case .leaf(.null): return .value(.null)
            default: items = [value]
            }
            var out: [JSON] = []
            out.reserveCapacity(items.count)
            for (i, item) in items.enumerated() {
                path.append(.index(i))
                let r = complete(item, inner, step, parent: parent)
                path.removeLast()
                switch r {
                case .value(let v): out.append(v)
                case .propagate: return .propagate
                }
            }
            return .value(.array(out))
        case .named(let n):
            guard let declared = step.named else { return .value(.null) }
            switch value {
            case .leaf(.null):
                return .value(.null)
            case .leaf(let json):
                guard declared.kind.isLeaf, let v = schema.serializeLeaf(declared, json) else {
                    let what = declared.kind == .enumType ? "Enum \"\(n.value)\" cannot represent value: \(json.text)"
                        : "\(n.value) cannot represent value: \(json.text)"
                    error(what, step.nodes)
                    return .propagate
                }
                return .value(v)
            case .object(let child):
                guard declared.kind.isComposite else {
                    error("Field \(parent).\(step.nodes[0].name.value) returned an object for non-object type \(n.value).", step.nodes)
                    return .propagate
                }
                var runtime = declared
                if declared.kind != .object {
                    if case .leaf(.string(let name))? = child.fields["__typename"], let t = schema.types[name], t.kind == .object,
                       schema.isPossibleType(declared, name) {
                        runtime = t
                    } else if case .leaf(.string(let name))? = child.fields["__typename"], schema.types[name] == nil {
                        // An object of a type the API schema hides (@inaccessible) is not shown.
                        return .value(.null)
                    } else if declared.kind != .interface {
                        error("Abstract type \"\(n.value)\" must resolve to an Object type at runtime for field \"\(parent).\(step.nodes[0].name.value)\".", step.nodes)
                        return .propagate
                    }
                    // An interface known only through an @interfaceObject (no subgraph says which
                    // object it is): its own fields are answered, fragments on objects are not.
                }
                return object(child, runtime, step.nodes.compactMap(\.selectionSet))
            case .list:
                error("Field \(parent).\(step.nodes[0].name.value) returned a list for \(n.value).", step.nodes)
                return .propagate
            }
        }
    }
    mutating func error(_ message: String, _ nodes: [Field]) {
        let locations = source.flatMap { s in nodes.first.map { [s.location(of: Int($0.span.start))] } } ?? []
        errors.append(GraphQLError(message, locations: locations, path: path))
    }
}
