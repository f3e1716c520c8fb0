import OrderedCollections

/// An operation's literal field arguments turned into variables, so that operations differing
/// only in those values share one shape (and a gateway one query plan, one prepared subgraph
/// operation each): `appendEvents(streamId: "s-1", events: [...])` and the same with `"s-2"` are
/// both `appendEvents(streamId: $_sy0, events: $_sy1)`, the values passed as variables.
///
/// Applied to a document that passed validation, so every literal fits its argument's type.
/// What stays literal: directive arguments (`@skip(if: true)` decides what is planned), values
/// holding a variable, arguments the schema does not know, and whole documents with several
/// operations or a subscription. Equal values of one type become one variable, so fields that
/// merge (same name, same arguments) still merge.
public enum LiteralHoisting {
    public struct Hoisted: Sendable {
        /// The document with each hoisted literal replaced by its variable (defined on the operation).
        public let document: Document
        /// The variables' values (coerced to their arguments' types, as the executor would).
        public let values: OrderedDictionary<String, JSON>
        /// The document printed: the same for operations that differ only in hoisted values.
        public let shape: String
    }

    /// The document with its literal arguments hoisted; nil when there is none to hoist (or the
    /// document is one this does not rewrite).
    public static func hoist(_ document: Document, operationName: String?, schema: Schema) -> Hoisted? {
        let operations = document.operations
        guard operations.count == 1, let operation = operations.first, operation.operation != .subscription,
              operationName == nil || operation.name?.value == operationName,
              let rootName = schema.rootTypeName(operation.operation), let root = schema.types[rootName] else { return nil }
        var hoister = Hoister(schema: schema, taken: Set(operation.variableDefinitions.map(\.variable.value)))
        var definitions = document.definitions
        var operationIndex = -1
        for i in definitions.indices {
            switch definitions[i] {
            case .operation(var o):
                o.selectionSet = hoister.selectionSet(o.selectionSet, root)
                definitions[i] = .operation(o)
                operationIndex = i
            case .fragment(var f):
                guard let type = schema.types[f.typeCondition.value] else { continue }
                f.selectionSet = hoister.selectionSet(f.selectionSet, type)
                definitions[i] = .fragment(f)
            default:
                continue
            }
            if hoister.failed { return nil }
        }
        guard !hoister.values.isEmpty, operationIndex >= 0, case .operation(var o) = definitions[operationIndex] else { return nil }
        o.variableDefinitions += hoister.definitions
        o.isShorthand = false
        definitions[operationIndex] = .operation(o)
        let hoisted = Document(definitions: definitions)
        return Hoisted(document: hoisted, values: hoister.values, shape: Printer.print(hoisted))
    }

    struct Hoister {
        let schema: Schema
        var taken: Set<String>
        var values: OrderedDictionary<String, JSON> = [:]
        var definitions: [VariableDefinition] = []
        /// A variable by its argument type and value.
        var byValue: [ValueKey: String] = [:]
        var next = 0
        /// A literal did not coerce to its argument's type (a document that was not validated):
        /// nothing is hoisted.
        var failed = false

        struct ValueKey: Hashable {
            let type: String
            let value: JSON
        }

        init(schema: Schema, taken: Set<String>) {
            self.schema = schema
            self.taken = taken
        }

        mutating func selectionSet(_ set: SelectionSet, _ type: NamedType) -> SelectionSet {
            var set = set
            for i in set.selections.indices {
                switch set.selections[i] {
                case .field(var field):
                    guard let def = schema.field(type, field.name.value) else { continue }
                    for a in field.arguments.indices {
                        guard let argDef = def.arguments[field.arguments[a].name.value], !Self.holdsVariable(field.arguments[a].value),
                              let name = variable(for: field.arguments[a].value, argDef.type) else { continue }
                        field.arguments[a].value = .variable(name)
                    }
                    if let sub = field.selectionSet, let returned = schema.types[def.type.namedType.value] {
                        field.selectionSet = selectionSet(sub, returned)
                    }
                    set.selections[i] = .field(field)
                case .inlineFragment(var fragment):
                    let inner = fragment.typeCondition.flatMap { schema.types[$0.value] } ?? type
                    fragment.selectionSet = selectionSet(fragment.selectionSet, inner)
                    set.selections[i] = .inlineFragment(fragment)
                case .fragmentSpread:
                    continue
                }
            }
            return set
        }

        /// The variable that carries `value` (made on first use).
        mutating func variable(for value: Value, _ type: TypeReference) -> String? {
            let json: JSON
            do { json = try Values.literal(schema, value, type, variables: [:]) } catch {
                failed = true
                return nil
            }
            let key = ValueKey(type: type.description, value: json)
            if let known = byValue[key] { return known }
            var name: String
            repeat {
                name = "_sy\(next)"
                next += 1
            } while taken.contains(name)
            taken.insert(name)
            byValue[key] = name
            values[name] = json
            definitions.append(VariableDefinition(variable: Name(name), type: type, defaultValue: nil, directives: [], span: .none))
            return name
        }

        static func holdsVariable(_ value: Value) -> Bool {
            switch value {
            case .variable: return true
            case .list(let items): return items.contains(where: holdsVariable)
            case .object(let fields): return fields.contains { holdsVariable($0.value) }
            default: return false
            }
        }
    }
}
