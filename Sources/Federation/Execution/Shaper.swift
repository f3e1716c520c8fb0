import GraphQLCore
import OrderedCollections
import Synchronization

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
    /// The operation's steps, compiled as the walk meets each selection and runtime type.
    var program: ShapingProgram
    /// The buffer's id of each of the program's response keys (-2: no answer has it).
    private var ids: [Int32] = []
    let source: Source?
    var errors: [GraphQLError] = []
    /// The response paths of the errors and deferred fragments found so far, innermost element
    /// first: filled in as the walk comes back out of the fields and list items each was found in
    /// (no path is kept while nothing fails and nothing is deferred).
    private var reversedPaths: [[PathElement]] = []
    /// Each error's entry in `reversedPaths`.
    private var errorPaths: [Int] = []
    /// Deferred fragments met by the walk (with a deferring collector), in document order.
    private(set) var deferred: [DeferredInstance] = []

    /// A deferred fragment at one object: delivered in a later payload, shaped from that object.
    struct DeferredInstance {
        /// The fragment (an index into the program's `deferredLists`, and into that list).
        let list: Int32
        let item: Int32
        let node: Int32
        let type: Int32
        /// Its entry in `reversedPaths`.
        let path: Int
    }
    /// The bytes written so far.
    private var out = RawJSONWriter(capacity: 16)
    /// A fetch failed: a value missing from the tree is explained by that fetch's error (a
    /// subgraph whose data came back null leaves its sibling fields out), so a non-null field
    /// without a value nulls its parent without an error of its own.
    var missingIsExplained = false
    /// Root fields whose root fetch came back without data: a value missing under one of them is
    /// explained by that fetch's error (the shaping of each root field, or of a deferred fragment
    /// under it, sets `explainedHere`).
    var explainedRoots = Set<String>()
    private var explainedHere = false
    /// The root object's node (its members are the root fields).
    private var rootNode: Int32 = -1
    /// The member being completed is missing from an object a later answer nulled (its
    /// subgraph's error explains it): set just before each member's completion.
    private var missingInNulled = false
    /// Objects known only by their interface whose typing entity fetch answered null: null.
    var nulledUntyped = Set<Int32>()
    /// A variable of the request is null: a `@skip`/`@include` may read a null condition.
    var nullConditionsPossible = false
    /// The errors (indices in `errors`) of null conditions: where collecting an object's fields
    /// failed, nothing below was resolved (a client of one schema gets no error from there).
    /// Tentative: the object came back null from its subgraph; it had been an object (and so
    /// fails here) when the subgraph reported errors below it — a failed field nulled it there.
    private(set) var conditionErrors: [(index: Int, tentative: Bool)] = []

    /// - Parameter nulled: fields (by source offset) answered `null` whatever their type:
    ///   authorization removed them from the plan and reported each.
    /// - Parameter hiddenEnumValues: enum values `@inaccessible` hides (answered null, no error).
    /// - Parameter deferring: `@defer` fragments are left out of `shape` and delivered by
    ///   `incrementalPayload` (else they are answered inline).
    init(schema: Schema, tree: ResponseBuffer, fragments: [String: FragmentDefinition], variables: OrderedDictionary<String, JSON>,
         source: Source?, nulled: Set<Int32> = [], hiddenEnumValues: [String: Set<String>] = [:], hiddenTypes: Set<String> = [],
         interfaceObjects: Set<String> = [], deferring: Bool = false) {
        self.init(tree: tree, program: ShapingProgram(schema: schema, collector: FieldCollector(schema: schema, fragments: fragments, variables: variables,
                                                                                                deferring: deferring),
                                                      nulled: nulled, hiddenEnumValues: hiddenEnumValues, hiddenTypes: hiddenTypes,
                                                      interfaceObjects: interfaceObjects), source: source)
    }

    /// A shaper that goes on with a program compiled by earlier requests of the same plan.
    init(tree: ResponseBuffer, program: ShapingProgram, source: Source?) {
        self.schema = program.schema
        self.tree = tree
        self.program = program
        self.source = source
    }

    /// How completing a value ended: written, null (nothing written; the caller decides
    /// whether a null may stand there), or a null that must propagate to the nearest nullable
    /// position (what was written for it is taken back there).
    enum Completed {
        case value
        case null
        case propagate

        var isPropagate: Bool { if case .propagate = self { return true } else { return false } }
    }

    /// The response's `data`, written to bytes in the client's field order (null when a
    /// non-null root field came back null), behind `ExecutionResult.dataOpening` (`{"data":`):
    /// the response is completed in these bytes (`ExecutionResult.serialized`), not copied.
    /// Room for `capacity` bytes is made first, so that an answer of about that size is not
    /// copied while it grows (each doubling holds the old bytes and the new room at once).
    ///
    /// The bytes are written straight into the storage of the array returned (room for
    /// `capacity` and what `ExecutionResult.serialized` closes the response with); only an answer
    /// larger than that is written to a buffer that grows, and copied into an array at the end.
    mutating func shape(_ operation: OperationDefinition, root: Int32, capacity: Int = 16_384) -> [UInt8] {
        let room = 64   // `ExecutionResult.serialized` closes the response in these bytes
        var grown: [UInt8]?
        let bytes = [UInt8](unsafeUninitializedCapacity: max(capacity, 64) + room) { buffer, initialized in
            out = RawJSONWriter(lent: UnsafeMutableBufferPointer(rebasing: buffer[..<(buffer.count - room)]))
            writeData(operation, root: root)
            if out.isInLentMemory {
                initialized = out.count
            } else {
                grown = out.finish(room: room)
                initialized = 0
            }
            out = RawJSONWriter(capacity: 16)   // the lent memory is the array's from here on
        }
        return grown ?? bytes
    }

    private mutating func writeData(_ operation: OperationDefinition, root: Int32) {
        out.put(ExecutionResult.dataOpening)
        guard let rootName = schema.rootTypeName(operation.operation), let rootType = schema.types[rootName] else {
            out.append("null")
            return
        }
        let type = program.typeID(rootType)
        let steps = program.steps(type, [operation.selectionSet])
        resolveKeys()
        rootNode = root
        if case .propagate = object(root, type, steps) {
            out.truncate(ExecutionResult.dataOpening.count)
            out.append("null")
            deferred.removeAll()
        }
        for i in errors.indices {
            let path = reversedPaths[errorPaths[i]]
            errors[i].path = path.isEmpty ? nil : path.reversed()   // empty: the root's own fields
        }
    }

    /// A deferred fragment met by `shape`, with its object's response path.
    struct Pending {
        let instance: DeferredInstance
        let path: [PathElement]
    }

    /// The deferred fragments `shape` met (none when it ran without a deferring collector).
    func pendingDeferred() -> [Pending] {
        deferred.map { Pending(instance: $0, path: reversedPaths[$0.path].reversed()) }
    }

    /// The payload that follows the first when fragments were deferred: each deferred fragment's
    /// fields shaped from its object, at that object's path (with its label and its own errors;
    /// `data` null when a non-null field in it came back null), fragments deferred inside them
    /// after them — `{"incremental":[…],"hasNext":false}` (the 2022-08-24 incremental format).
    /// `upstream`: errors of fetches that came back after the first payload, each given to the
    /// fragment that writes the field its path names (see below; the first when it has no path).
    /// `defers`: the client's deferred fragments numbered (an upstream error whose fetch was for
    /// one of them goes with that fragment's entry, located in it; with none when it was not
    /// delivered — its object or an enclosing fragment was nulled — if its `@defer` is `active`).
    mutating func incrementalPayload(_ pending: [Pending], upstream: [PlanRun.HeldError] = [], defers: DeferOrdinals? = nil,
                                     active: Set<Int> = [], locator: inout ErrorLocator) -> [UInt8] {
        /// One fragment instance shaped: its entry without its errors and closing brace, its own
        /// errors, its path, and the response keys of the fields it writes itself.
        struct Item {
            var head: [UInt8]
            var errors: [GraphQLError]
            let path: [PathElement]
            let keys: Set<String>
            /// `data` is null (a non-null field in it failed).
            let nulled: Bool
            /// Its number among the client's deferred fragments, and its selection.
            let ordinal: Int?
            let selection: SelectionSet
        }
        var items: [Item] = []
        var queue = pending
        var i = 0
        while i < queue.count {
            let instance = queue[i].instance, path = queue[i].path
            let fragment = program.deferredLists[Int(instance.list)][Int(instance.item)]
            errors = []
            errorPaths = []
            reversedPaths = []
            conditionErrors = []
            deferred = []
            out = RawJSONWriter(capacity: 1_024)
            // An object the first payload knew only as its interface (an @interfaceObject answered
            // it) has its own type by now, if a deferred fetch brought it: shaped as that.
            var type = instance.type
            let declared = program.types[Int(type)]
            if declared.kind == .interface, let name = tree.typename(instance.node), name != declared.name,
               let t = schema.types[name], t.kind == .object, schema.isPossibleType(declared, name) {
                type = program.typeID(t)
            }
            let steps = program.steps(type, [fragment.selectionSet])
            resolveKeys()
            // Under a root field whose fetch came back without data: explained by its error
            // (a fragment on the root object itself: by each field, as in the first payload).
            if case .key(let k)? = path.first { explainedHere = explainedRoots.contains(k) } else { explainedHere = false; rootNode = instance.node }
            let completed = object(instance.node, type, steps)
            var w = JSONWriter(capacity: 256)
            w.append(#"{"data":"#)
            if case .propagate = completed {
                w.append("null")
                deferred.removeAll()
            } else {
                w.appendRaw(out.finish())
            }
            w.append(#","path":"#)
            w.write(Self.json(path))
            if let label = fragment.label {
                w.append(#","label":"#)
                w.writeString(label)
            }
            for e in errors.indices { errors[e].path = path + reversedPaths[errorPaths[e]].reversed() }
            var keys = Set<String>()
            for s in steps where program.steps[Int(s)].key >= 0 {
                let k = program.responseKeys[Int(program.steps[Int(s)].key)]
                keys.insert(SelectionTree.clientKey(k))
            }
            items.append(Item(head: w.bytes, errors: errors, path: path, keys: keys, nulled: completed.isPropagate,
                              ordinal: defers?.ordinal(fragment: fragment.span), selection: fragment.selectionSet))
            for inner in deferred { queue.append(Pending(instance: inner, path: path + reversedPaths[inner.path].reversed())) }
            i += 1
        }
        // Each fetch error goes with the fragment that writes the field it names: of those whose
        // path leads to it, one that writes the key after that path itself (a fragment deferred
        // inside another writes its own fields), else one whose data the failure nulled, else the
        // deepest. An error without a path goes with the first fragment it nulled, else the first.
        var homed = [[GraphQLError]](repeating: [], count: items.count)
        for held in upstream {
            guard !items.isEmpty else { break }
            var e = held.error
            if let defers, let fragment = held.fragment, let o = defers.home(fragment, active: active) {
                // Its fetch's fragment: the instance whose path leads to it (the deepest), none
                // when the fragment was not delivered.
                var at: Int?
                for (n, item) in items.enumerated() where item.ordinal == o && (e.path.map { $0.starts(with: item.path) } ?? true) {
                    if at == nil || item.path.count > items[at!].path.count { at = n }
                }
                guard let n = at else { continue }
                if e.locations.isEmpty, let p = e.path {
                    var inFragment = ErrorLocator(root: items[n].selection, fragments: program.collector.fragments, source: source)
                    inFragment.variables = program.collector.variables
                    let ls = inFragment.locationsOf(Array(p.dropFirst(items[n].path.count)))
                    if !ls.isEmpty { e.locations = ls }
                }
                if e.locations.isEmpty { e = locator.locate([e])[0] }
                homed[n].append(e)
                continue
            }
            e = locator.locate([e])[0]
            var best = -1, bestRank = (0, 0)
            if let p = e.path {
                for (n, item) in items.enumerated() where p.starts(with: item.path) {
                    var owns = false
                    if p.count > item.path.count, case .key(let k) = p[item.path.count] { owns = item.keys.contains(k) }
                    let rank = (owns ? 2 : item.nulled ? 1 : 0, item.path.count)
                    if best < 0 || rank > bestRank { best = n; bestRank = rank }
                }
            } else {
                best = items.firstIndex { $0.nulled } ?? 0
            }
            homed[max(best, 0)].append(e)
        }
        var w = JSONWriter(capacity: 4_096)
        w.append(#"{"incremental":["#)
        for (n, item) in items.enumerated() {
            if n > 0 { w.bytes.append(UInt8(ascii: ",")) }
            w.appendRaw(item.head)
            // A null the shaper found is left unreported where a subgraph's error explains it (on
            // it, above or below it).
            let own = item.errors.filter { e in
                guard e.message.hasPrefix("Cannot return null"), let p = e.path else { return true }
                return !upstream.contains { u in u.error.path.map { p.starts(with: $0) || $0.starts(with: p) } ?? false }
            }
            let all = homed[n] + own
            if !all.isEmpty {
                w.append(#","errors":"#)
                w.write(.array(all.map(\.json)))
            }
            w.bytes.append(UInt8(ascii: "}"))
        }
        w.append(#"],"hasNext":false}"#)
        errors = []
        deferred = []
        return w.bytes
    }

    static func json(_ path: [PathElement]) -> JSON {
        .array(path.map { element in
            switch element {
            case .key(let k): return .string(k)
            case .index(let i): return .int(i)
            }
        })
    }

    /// Looks up the buffer's ids of the response keys the program has added since the last time.
    private mutating func resolveKeys() {
        while ids.count < program.responseKeys.count { ids.append(tree.keys.find(program.responseKeys[ids.count]) ?? -2) }
    }

    /// The steps of an object value of step `s`'s field, of runtime type `type`.
    private mutating func children(_ s: Int, _ type: Int32) -> Range<Int32> {
        let found = program.children(s, type)
        resolveKeys()
        return found
    }

    mutating func object(_ node: Int32, _ type: Int32, _ steps: Range<Int32>) -> Completed {
        out.put(UInt8(ascii: "{"))
        // Members are looked for at the record after the last one found first: an answer lists
        // them in the order the fields were asked, most often. Only while every member so far
        // was found that way (each record before the cursor then holds a key asked already, so
        // the one at the cursor is its key's first occurrence); after a miss, by key.
        var cursor = tree.firstRun(node)
        let nulled = !tree.nulledObjects.isEmpty && tree.nulledObjects.contains(node)
        for i in steps {
            let step = program.steps[Int(i)]
            if step.kind == .nullCondition {
                // Collecting this object's fields failed: the error of the field (or list item)
                // whose value it is, null there.
                conditionErrors.append((errors.count, false))
                errors.append(Executor.nullConditionError(program.nullConditions[Int(step.field)], source))
                errorPaths.append(reversedPaths.count)
                reversedPaths.append([])
                return .propagate
            }
            if step.kind == .deferred {
                // The run's last step: its deferred fragments, recorded for later payloads.
                for item in program.deferredLists[Int(step.field)].indices {
                    deferred.append(DeferredInstance(list: step.field, item: Int32(item), node: node, type: type, path: reversedPaths.count))
                    reversedPaths.append([])
                }
                continue
            }
            if i != steps.lowerBound { out.put(UInt8(ascii: ",")) }
            program.text.withUnsafeBufferPointer { text in
                out.put(UnsafeBufferPointer(rebasing: text[Int(step.keyBytes.lowerBound)..<Int(step.keyBytes.upperBound)]))
            }
            if step.kind == .typename || step.nulled {
                // Not looked up: its record, if it is the next one, is passed.
                if cursor.lowerBound < cursor.upperBound, tree.values[cursor.lowerBound].key == ids[Int(step.key)] { cursor = (cursor.lowerBound + 1)..<cursor.upperBound }
            }
            if step.kind == .typename {
                let name = program.typeNames[Int(type)]
                program.text.withUnsafeBufferPointer { text in
                    out.put(UnsafeBufferPointer(rebasing: text[Int(name.lowerBound)..<Int(name.upperBound)]))
                }
                continue
            }
            if step.nulled {
                out.append("null")
                continue
            }
            let before = reversedPaths.count
            let key = ids[Int(step.key)]
            let value: ResponseBuffer.Value?
            if cursor.lowerBound < cursor.upperBound, tree.values[cursor.lowerBound].key == key {
                value = tree.values[cursor.lowerBound]
                cursor = (cursor.lowerBound + 1)..<cursor.upperBound
            } else {
                cursor = 0..<0
                value = tree.member(node, key)
            }
            missingInNulled = nulled
            if node == rootNode, !explainedRoots.isEmpty {
                explainedHere = explainedRoots.contains(SelectionTree.clientKey(program.responseKeys[Int(step.key)]))
            }
            let r = complete(value, 0, Int(i), parent: type)
            if reversedPaths.count > before {
                let k = program.responseKeys[Int(step.key)]
                within(before, .key(SelectionTree.clientKey(k)))
            }
            if case .propagate = r { return .propagate }
        }
        out.put(UInt8(ascii: "}"))
        return .value
    }

    /// Adds `element` to the paths of the errors and deferred fragments found since `first`
    /// (they were found inside it).
    mutating func within(_ first: Int, _ element: PathElement) {
        for e in first..<reversedPaths.count { reversedPaths[e].append(element) }
    }

    /// CompleteValue at list level `level` of step `s`'s type (0: the field itself): a null in a
    /// non-null position records the error and propagates; a position that is not non-null stops
    /// a propagation from inside as null.
    mutating func complete(_ value: ResponseBuffer.Value?, _ level: Int, _ s: Int, parent: Int32) -> Completed {
        if program.steps[s].isNonNull(level) {
            if value == nil, missingIsExplained || explainedHere || missingInNulled { return .propagate }
            let r = completeInner(value, level, s, parent: parent)
            if case .null = r {
                error("Cannot return null for non-nullable field \(program.types[Int(parent)].name).\(program.fieldName(s)).", s)
                return .propagate
            }
            return r
        }
        let mark = out.count, deferredMark = deferred.count
        switch completeInner(value, level, s, parent: parent) {
        case .value: return .value
        case .null, .propagate:
            out.truncate(mark)
            out.append("null")
            // Fragments deferred inside what became null have nothing to deliver.
            if deferred.count > deferredMark { deferred.removeSubrange(deferredMark...) }
            return .value
        }
    }

    /// Completion of a list, leaf or composite value (errors are recorded and propagate).
    mutating func completeInner(_ value: ResponseBuffer.Value?, _ level: Int, _ s: Int, parent: Int32) -> Completed {
        guard let value else { return .null }
        let step = program.steps[s]
        if level < Int(step.listDepth) {
            switch value.kind {
            case .null: return .null
            case .list:
                out.put(UInt8(ascii: "["))
                let items = value.items
                for v in items {
                    if v != items.lowerBound { out.put(UInt8(ascii: ",")) }
                    let before = reversedPaths.count
                    let r = complete(tree.values[v], level + 1, s, parent: parent)
                    if reversedPaths.count > before { within(before, .index(v - items.lowerBound)) }
                    if case .propagate = r { return .propagate }
                }
                out.put(UInt8(ascii: "]"))
                return .value
            default:
                // Result coercion: a value that is not a list where a list is expected is a field
                // error (a list of one is input coercion's rule, not this one's).
                error("Expected Iterable, but did not find one for field \"\(program.types[Int(parent)].name).\(program.fieldName(s))\".", s)
                return .propagate
            }
        }
        if step.kind == .missing { return .null }
        switch value.kind {
        case .null:
            if nullConditionsPossible, step.kind == .object, !step.isNonNull(level) {
                // Collecting its fields would fail, had it been an object: the error stands when
                // the subgraph nulled it for a field's error below (`conditionErrors`).
                let steps = children(s, step.named)
                if let first = steps.first, program.steps[Int(first)].kind == .nullCondition {
                    conditionErrors.append((errors.count, true))
                    errors.append(Executor.nullConditionError(program.nullConditions[Int(program.steps[Int(first)].field)], source))
                    errorPaths.append(reversedPaths.count)
                    reversedPaths.append([])
                    return .propagate
                }
            }
            return .null
        case .object where step.kind == .custom, .list where step.kind == .custom:
            // A custom scalar's value (a JSON object or list, say) passes through untouched.
            tree.write(value, &out)
            return .value
        case .object:
            switch step.kind {
            case .object:
                return object(value.object, step.named, children(s, step.named))
            case .abstract:
                let declared = program.types[Int(step.named)]
                let name = tree.typename(value.object)
                if let name, let t = schema.types[name], t.kind == .object, schema.isPossibleType(declared, name) {
                    let runtime = program.typeID(t)
                    return object(value.object, runtime, children(s, runtime))
                } else if let name, schema.types[name] == nil, program.hiddenTypes.contains(name) {
                    // An object of a type the API schema hides (@inaccessible) is not shown.
                    return .null
                } else if let name, schema.types[name] == nil {
                    error("Abstract type \"\(declared.name)\" was resolved to a type \"\(name)\" that does not exist inside the schema, for field \"\(program.types[Int(parent)].name).\(program.fieldName(s))\".", s)
                    return .propagate
                } else if let name, schema.types[name]?.kind == .object {
                    // An object type of the schema that is not one of the field's (§6.4.3).
                    error("Runtime Object type \"\(name)\" is not a possible type for \"\(declared.name)\".", s)
                    return .propagate
                } else if declared.kind != .interface || (name != nil && name != declared.name) || !program.interfaceObjects.contains(declared.name) {
                    // An object type that is not one of the field's — or no object type at all
                    // where no subgraph knows the interface as an @interfaceObject —: not an answer
                    // for it (§6.4.3), whatever the subgraph said.
                    error("Abstract type \"\(declared.name)\" must resolve to an Object type at runtime for field \"\(program.types[Int(parent)].name).\(program.fieldName(s))\".\(name.map { " Got \"\($0)\"." } ?? "")", s)
                    return .propagate
                }
                // An interface known only through an @interfaceObject (no subgraph says which
                // object it is): its own fields are answered, fragments on objects are not —
                // unless the fetch that would say which answered null for it.
                if !nulledUntyped.isEmpty, nulledUntyped.contains(value.object) { return .null }
                return object(value.object, step.named, children(s, step.named))
            default:
                error("Field \(program.types[Int(parent)].name).\(program.fieldName(s)) returned an object for non-object type \(program.typeName(s)).", s)
                return .propagate
            }
        case .list:
            error("Field \(program.types[Int(parent)].name).\(program.fieldName(s)) returned a list for \(program.typeName(s)).", s)
            return .propagate
        default:
            return leaf(value, step, s)
        }
    }

    /// A scalar completed as a leaf of the step's type (result coercion): values that already
    /// are what the type says are copied as they are; the rest go through the schema's coercion.
    mutating func leaf(_ value: ResponseBuffer.Value, _ step: ShapingProgram.Step, _ s: Int) -> Completed {
        switch step.kind {
        case .string, .id:
            if value.isString { tree.write(value, &out); return .value }
        case .int:
            if value.kind == .int, value.int >= Int(Int32.min), value.int <= Int(Int32.max) { out.writeInt(value.int); return .value }
        case .float:
            if value.kind == .double, value.double.isFinite { out.writeDouble(value.double); return .value }
        case .boolean:
            if value.kind == .bool { tree.write(value, &out); return .value }
        case .custom:
            tree.write(value, &out)   // a custom scalar's value passes through
            return .value
        case .enumValue:
            if value.isString {
                let declared = program.types[Int(step.named)], name = tree.string(value)
                if declared.enumValues[name] != nil { tree.write(value, &out); return .value }
                // A value of the supergraph's enum that clients do not see: null, as if not there.
                if program.hiddenEnumValues[declared.name]?.contains(name) == true { return .null }
            }
        default:
            break
        }
        let json = tree.json(value)
        let declared = program.types[Int(step.named)]
        guard declared.kind.isLeaf, let v = schema.serializeLeaf(declared, json) else {
            // A number beyond a double's range is read as infinite: shown as graphql-js shows it.
            var shown = json.text
            if case .double(let d) = json, !d.isFinite { shown = d > 0 ? "Infinity" : "-Infinity" }
            let what = declared.kind == .enumType ? "Enum \"\(program.typeName(s))\" cannot represent value: \(shown)"
                : "\(program.typeName(s)) cannot represent value: \(shown)"
            error(what, s)
            return .propagate
        }
        out.write(v)
        return .value
    }

    /// Records an error at step `s`'s field; its path is filled in on the way out.
    mutating func error(_ message: String, _ s: Int) {
        let nodes = program.fields[Int(program.steps[s].field)].nodes
        // Every node of the field, as graphql-js locates a field's error (`{ stock stock }`: two).
        var seen = Set<Int>()
        let locations = source.map { src in nodes.filter { seen.insert(Int($0.span.start)).inserted }.map { src.location(of: Int($0.span.start)) } } ?? []
        errors.append(GraphQLError(message, locations: locations, path: nil))
        errorPaths.append(reversedPaths.count)
        reversedPaths.append([])
    }
}

/// The client's operation compiled for the shaper: for each selection-set list and runtime type,
/// a run of steps (one per response key, CollectFields done once) in one array of plain records —
/// what the walk reads per object costs no reference count. Runs are compiled the first time the
/// walk meets their selection and runtime type.
struct ShapingProgram: Sendable {
    /// What a step's values are completed as.
    enum Kind: UInt8 {
        case typename, string, id, int, float, boolean, custom, enumValue, object, abstract
        /// An input type where an output type belongs (answered with an error).
        case other
        /// A field the schema does not have (answered null).
        case missing
        /// Not a field: the fragments deferred in this run (`field` indexes `deferredLists`),
        /// always a run's last step.
        case deferred
        /// Not a field: the objects of this run are errors, a `@skip`/`@include` among their
        /// selections reading a null variable (`field` indexes `nullConditions`); a run's only step.
        case nullCondition
    }

    struct Step {
        /// The response key (an index into `responseKeys`).
        var key: Int32
        /// `"<responseKey>":` as JSON, in `text`.
        var keyBytes: Range<Int32>
        var kind: Kind
        var listDepth: UInt8
        /// Bit `l` set: list level `l` of the field's type is non-null (0: the field itself).
        var nonNull: UInt32
        /// Answered `null` whatever its type (authorization removed it).
        var nulled: Bool
        /// The named type (an index into `types`; -1: none).
        var named: Int32
        /// The field's nodes and selection sets (an index into `fields`).
        var field: Int32
        /// The first run of steps compiled for this step's object values (an index into
        /// `childRuns`; -1: none yet).
        var children: Int32

        @inline(__always) func isNonNull(_ level: Int) -> Bool { nonNull & (1 << UInt32(level)) != 0 }
    }

    struct FieldInfo {
        let nodes: [Field]
        let selectionSets: [SelectionSet]
        let typeName: String
        /// The selection sets of the nodes authorization removed (or reached only through
        /// removed nodes): what is selected only there answers null.
        var removedSets: [SelectionSet] = []
    }

    /// The steps of one runtime type under one step, and the next such run of the same step.
    struct ChildRun {
        let type: Int32
        let steps: Range<Int32>
        let next: Int32
    }

    /// A selection-set list (by the spans of its sets) and a runtime type.
    struct PlanKey: Hashable {
        let first: Int
        let count: Int
        let spanSum: Int
        let type: Int32
        /// The removed sets among them (their count and spans' sum; 0 without any).
        var removed = 0
    }

    let schema: Schema
    private(set) var collector: FieldCollector
    let nulled: Set<Int32>
    /// Enum values `@inaccessible` hides from clients, by enum (answered null without an error).
    let hiddenEnumValues: [String: Set<String>]
    /// Types `@inaccessible` hides from clients (an object of one is answered null without an error).
    let hiddenTypes: Set<String>
    /// Interfaces an object may be known by without its object type (`Supergraph.interfaceObjects`).
    let interfaceObjects: Set<String>
    private(set) var steps: [Step] = []
    private(set) var fields: [FieldInfo] = []
    private var childRuns: [ChildRun] = []
    /// Key and type-name bytes.
    private(set) var text: [UInt8] = []
    private(set) var responseKeys: [String] = []
    private var keyIndex: [String: Int32] = [:]
    private(set) var types: [NamedType] = []
    /// Each type's name as a JSON string, in `text`.
    private(set) var typeNames: [Range<Int32>] = []
    private var typeIndex: [ObjectIdentifier: Int32] = [:]
    private var plans: [PlanKey: Range<Int32>] = [:]
    /// The deferred fragments of each run that has some (with a deferring collector).
    private(set) var deferredLists: [[FieldCollector.Deferred]] = []
    /// The `if` arguments that read a null variable, of the runs that are errors for it.
    private(set) var nullConditions: [Argument] = []

    init(schema: Schema, collector: FieldCollector, nulled: Set<Int32>, hiddenEnumValues: [String: Set<String>] = [:],
         hiddenTypes: Set<String> = [], interfaceObjects: Set<String> = []) {
        self.schema = schema
        self.collector = collector
        self.nulled = nulled
        self.hiddenEnumValues = hiddenEnumValues
        self.hiddenTypes = hiddenTypes
        self.interfaceObjects = interfaceObjects
    }

    /// This program with its collector keeping only the variables named (what `@skip` and
    /// `@include` read): a program kept with its plan holds on to none of a request's other inputs.
    func keeping(variables names: [String]) -> ShapingProgram {
        var kept = self
        var variables = OrderedDictionary<String, JSON>()
        for n in names { if let v = collector.variables[n] { variables[n] = v } }
        kept.collector = FieldCollector(schema: collector.schema, fragments: collector.fragments, variables: variables)
        return kept
    }

    func fieldName(_ s: Int) -> String { fields[Int(steps[s].field)].nodes[0].name.value }
    func typeName(_ s: Int) -> String { fields[Int(steps[s].field)].typeName }

    mutating func typeID(_ type: NamedType) -> Int32 {
        let id = ObjectIdentifier(type)
        if let found = typeIndex[id] { return found }
        let index = Int32(types.count)
        types.append(type)
        typeIndex[id] = index
        var w = JSONWriter(capacity: type.name.utf8.count + 2)
        w.writeString(type.name)
        typeNames.append(append(w.bytes))
        return index
    }

    private mutating func append(_ bytes: [UInt8]) -> Range<Int32> {
        let start = Int32(text.count)
        text.append(contentsOf: bytes)
        return start..<Int32(text.count)
    }

    private mutating func keyID(_ key: String) -> Int32 {
        if let found = keyIndex[key] { return found }
        let id = Int32(responseKeys.count)
        responseKeys.append(key)
        keyIndex[key] = id
        return id
    }

    /// The steps of an object of `type` selected by `sets` (compiled once).
    /// `removedSets`: those of `sets` that belong to nodes authorization removed; a field selected
    /// only in them is answered null (it is removed too, never filled from data fetched for an
    /// allowed node of the same response key). Told apart by place in the tree, not by the field's
    /// place in the text: a named fragment spread under a removed node and under an allowed one
    /// answers where it is allowed.
    mutating func steps(_ type: Int32, _ sets: [SelectionSet], removedSets: [SelectionSet] = []) -> Range<Int32> {
        let cacheable = sets.allSatisfy { $0.span != .none }
        var key = PlanKey(first: cacheable ? Int(sets.first?.span.start ?? 0) : 0, count: sets.count,
                          spanSum: cacheable ? sets.reduce(0) { $0 &+ Int($1.span.start) } : 0, type: type)
        if !removedSets.isEmpty { key.removed = removedSets.reduce(removedSets.count << 40) { $0 &+ Int($1.span.start) } }
        if cacheable, let cached = plans[key] { return cached }
        let named = types[Int(type)]
        var made: [Step] = []
        var deferredHere: [FieldCollector.Deferred] = []
        // The nodes each response key has from the sets that are not removed.
        var allowedNodes: Set<Int32>? = nil
        if !removedSets.isEmpty {
            let removedSpans = Set(removedSets.map(\.span.start))
            var ignored: [FieldCollector.Deferred] = []
            let allowed = collector.collect(named, sets.filter { !removedSpans.contains($0.span.start) }, deferred: &ignored)
            allowedNodes = Set(allowed.values.lazy.flatMap { $0.map(\.span.start) })
        }
        var nullCondition: Argument?
        let collected = collector.collect(named, sets, deferred: &deferredHere, nullCondition: &nullCondition)
        if nullCondition == nil, !deferredHere.isEmpty {
            // A deferred fragment's fields are collected with the object's own (delivered later,
            // not collected later): a null condition among them is the object's error now.
            var ignored: [FieldCollector.Deferred] = []
            let inline = FieldCollector(schema: collector.schema, fragments: collector.fragments, variables: collector.variables)
            _ = inline.collect(named, sets, deferred: &ignored, nullCondition: &nullCondition)
        }
        if let nullCondition {
            let range = Int32(steps.count)..<Int32(steps.count + 1)
            steps.append(Step(key: -1, keyBytes: 0..<0, kind: .nullCondition, listDepth: 0, nonNull: 0, nulled: false, named: -1,
                              field: Int32(nullConditions.count), children: -1))
            nullConditions.append(nullCondition)
            if cacheable { plans[key] = range }
            return range
        }
        for (responseKey, nodes) in collected {
            let name = nodes[0].name.value
            var w = JSONWriter(capacity: responseKey.utf8.count + 3)
            w.writeString(responseKey)
            w.bytes.append(UInt8(ascii: ":"))
            let keyBytes = append(w.bytes)
            let field = Int32(fields.count)
            if name == "__typename" {
                fields.append(FieldInfo(nodes: nodes, selectionSets: [], typeName: "String"))
                made.append(Step(key: keyID(responseKey), keyBytes: keyBytes, kind: .typename, listDepth: 0, nonNull: 1,
                                 nulled: false, named: -1, field: field, children: -1))
                continue
            }
            guard let def = schema.field(named, name) else { continue }
            let levels = TypeLevels(def.type)
            var nonNull: UInt32 = 0
            for l in 0..<min(levels.listDepth + 1, 32) where levels.nonNullAt[l] { nonNull |= 1 << UInt32(l) }
            let target = schema.types[levels.namedTypeName]
            // A field authorization removed is null, unless another node of its response key was
            // allowed (a fragment's): then it is answered, the removed node's fields null (they
            // are removed too, never filled from data fetched for the allowed node).
            var info = FieldInfo(nodes: nodes, selectionSets: nodes.compactMap(\.selectionSet), typeName: levels.namedTypeName)
            var allNulled = false
            if !nulled.isEmpty {
                let removed = nodes.map { node in
                    nulled.contains(node.span.start) || allowedNodes.map { !$0.contains(node.span.start) } ?? false
                }
                allNulled = removed.allSatisfy { $0 }
                if !allNulled { info.removedSets = zip(nodes, removed).compactMap { $1 ? $0.selectionSet : nil } }
            }
            fields.append(info)
            // A field aliased `__typename` is in the answer under its own key (`SelectionTree.add`).
            let treeKey = SelectionTree.subgraphKey(responseKey)
            made.append(Step(key: keyID(treeKey), keyBytes: keyBytes, kind: target.map(Self.kind) ?? .missing,
                             listDepth: UInt8(min(levels.listDepth, 31)), nonNull: nonNull,
                             nulled: allNulled,
                             named: target.map { typeID($0) } ?? -1, field: field, children: -1))
        }
        if !deferredHere.isEmpty {
            made.append(Step(key: -1, keyBytes: 0..<0, kind: .deferred, listDepth: 0, nonNull: 0, nulled: false, named: -1,
                             field: Int32(deferredLists.count), children: -1))
            deferredLists.append(deferredHere)
        }
        let range = Int32(steps.count)..<Int32(steps.count + made.count)
        steps.append(contentsOf: made)
        if cacheable { plans[key] = range }
        return range
    }

    /// The steps of an object value of step `s`, of runtime type `type` (compiled the first time).
    mutating func children(_ s: Int, _ type: Int32) -> Range<Int32> {
        var r = steps[s].children
        while r >= 0 {
            if childRuns[Int(r)].type == type { return childRuns[Int(r)].steps }
            r = childRuns[Int(r)].next
        }
        let info = fields[Int(steps[s].field)]
        let found = steps(type, info.selectionSets, removedSets: info.removedSets)
        childRuns.append(ChildRun(type: type, steps: found, next: steps[s].children))
        steps[s].children = Int32(childRuns.count - 1)
        return found
    }

    /// The names of the variables that `@skip`, `@include` and `@defer` read in `operation` and
    /// the fragments (what a program depends on besides the document: a null `@defer(if:)` is an
    /// error where it is collected).
    static func directiveVariables(_ operation: OperationDefinition, _ fragments: [FragmentDefinition]) -> [String] {
        var names = Set<String>()
        func walk(_ set: SelectionSet) {
            for selection in set.selections {
                for d in selection.directives where d.name.value == "skip" || d.name.value == "include" || d.name.value == "defer" {
                    for arg in d.arguments { if case .variable(let v) = arg.value { names.insert(v) } }
                }
                switch selection {
                case .field(let f): if let sub = f.selectionSet { walk(sub) }
                case .inlineFragment(let i): walk(i.selectionSet)
                case .fragmentSpread: break
                }
            }
        }
        walk(operation.selectionSet)
        for f in fragments { walk(f.selectionSet) }
        return names.sorted()
    }

    static func kind(_ t: NamedType) -> Kind {
        switch t.kind {
        case .scalar:
            switch t.builtInScalar {
            case .string?: return .string
            case .id?: return .id
            case .int?: return .int
            case .float?: return .float
            case .boolean?: return .boolean
            case nil: return .custom
            }
        case .enumType: return .enumValue
        case .object: return .object
        case .interface, .union: return .abstract
        default: return .other
        }
    }
}

/// The shaping programs of one plan, reused by the requests it answers: CollectFields and the
/// step records are made by the first request and grow only when a request meets a runtime type
/// no earlier one did. Keyed by the values of the variables `@skip`/`@include` read (the only
/// input besides the document that changes what is collected). A request whose client document
/// differs from the planned one (authorization removed fields) compiles its own.
public final class ShapingCache: Sendable {
    private struct State {
        var directiveVariables: [String]?
        var programs: [[JSON]: ShapingProgram] = [:]
    }
    private let state = Mutex(State())
    /// Programs kept per plan (one per combination of directive variable values met).
    static let maxPrograms = 8
    /// A program past this many steps (about 150 bytes each) is not kept: a plan holds at most a
    /// few MB of programs.
    static let maxSteps = 10_000

    /// The size of the plan's last answer: the room the next one starts with.
    private let answerSize = Atomic<Int>(0)

    public init() {}

    /// Room to make for the next answer: a little more than the last one (answers of one plan
    /// are mostly of one size), and at least what the tree's own size suggests. The plan's first
    /// answer gets room for the whole tree written (`writtenSizeBound`): it is written once, not
    /// grown by doubling.
    func answerCapacity(_ tree: ResponseBuffer) -> Int {
        let last = answerSize.load(ordering: .relaxed)
        if last == 0 { return max(16_384, tree.writtenSizeBound) }
        return max(16_384, last + last / 16, tree.writtenSizeEstimate)
    }

    func recordAnswer(size: Int) { answerSize.store(size, ordering: .relaxed) }

    /// The sizes of the plan's last response tree (records, objects, string bytes): the room
    /// the next run's tree starts with, so that it is not grown by doubling as answers come.
    private let treeValues = Atomic<Int>(0), treeObjects = Atomic<Int>(0), treeText = Atomic<Int>(0)

    func reserveTree(_ tree: inout ResponseBuffer) {
        let n = treeValues.load(ordering: .relaxed)
        guard n > 0 else { return }
        tree.reserveCapacity(values: n + n / 16, objects: treeObjects.load(ordering: .relaxed) * 17 / 16,
                             text: treeText.load(ordering: .relaxed) * 17 / 16)
    }

    func recordTree(_ tree: ResponseBuffer) {
        treeValues.store(tree.values.count, ordering: .relaxed)
        treeObjects.store(tree.objects.count, ordering: .relaxed)
        treeText.store(tree.text.count, ordering: .relaxed)
    }

    /// The key of a request's program, and the program if one is kept for it.
    func program(_ operation: OperationDefinition, _ fragments: [FragmentDefinition],
                 _ variables: OrderedDictionary<String, JSON>) -> (key: [JSON], program: ShapingProgram?) {
        state.withLock { s in
            if s.directiveVariables == nil { s.directiveVariables = ShapingProgram.directiveVariables(operation, fragments) }
            // A variable not given is not one given as null (`@defer(if: $v)` with `$v` left out
            // is on; given null, an error).
            let key = s.directiveVariables!.map { variables[$0] ?? Self.notGiven }
            return (key, s.programs[key])
        }
    }

    /// What stands for a variable not given in a program's key (no Boolean's value).
    static let notGiven = JSON.string("\u{0}not given")

    /// Keeps a program that grew while shaping a request.
    func store(_ key: [JSON], _ program: ShapingProgram) {
        guard program.steps.count <= Self.maxSteps else { return }
        state.withLock { s in
            if s.programs[key] == nil, s.programs.count >= Self.maxPrograms { s.programs.removeAll() }
            s.programs[key] = program.keeping(variables: s.directiveVariables ?? [])
        }
    }
}
