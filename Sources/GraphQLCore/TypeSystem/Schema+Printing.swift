extension Schema {
    /// The schema as SDL: the schema definition (when its root types are not the default
    /// names), user directives, then every type except the built-in scalars and introspection.
    /// Building a schema from this text gives the same types, fields and directives.
    public func printSDL() -> String {
        var parts: [String] = []
        let defaultRoots = queryType == "Query" && (mutationType ?? "Mutation") == "Mutation" && (subscriptionType ?? "Subscription") == "Subscription"
        if !defaultRoots || description != nil {
            var s = description.map { Printer.print(Value.string($0, block: true)) + "\n" } ?? ""
            s += "schema {\n  query: \(queryType)\n"
            if let m = mutationType { s += "  mutation: \(m)\n" }
            if let sub = subscriptionType { s += "  subscription: \(sub)\n" }
            parts.append(s + "}")
        }
        let builtInDirectives: Set<String> = ["include", "skip", "deprecated", "specifiedBy", "oneOf"]
        for d in directives.values where !builtInDirectives.contains(d.name) {
            let def = DirectiveDefinition(description: d.description, name: Name(d.name), arguments: d.arguments.values.map(\.definition),
                                          isRepeatable: d.isRepeatable, locations: d.locations.map { Name($0.rawValue) }, span: .none)
            parts.append(Printer.print(Definition.directive(def)))
        }
        for t in types.values where !t.name.hasPrefix("__") && !Schema.builtInScalars.contains(t.name) {
            var def = TypeDefinition(kind: t.kind.definitionKind, description: t.description, name: Name(t.name))
            def.directives = t.directives
            def.interfaces = t.interfaces.map { Name($0) }
            def.fields = t.fields.values.map { f in
                FieldDefinition(description: f.description, name: Name(f.name), arguments: f.arguments.values.map(\.definition),
                                type: f.type, directives: f.directives, span: .none)
            }
            if t.kind == .union { def.unionMembers = t.possibleTypes.map { Name($0) } }
            def.enumValues = t.enumValues.values.map { EnumValueDefinition(description: $0.description, name: Name($0.name), directives: $0.directives, span: .none) }
            def.inputFields = t.inputFields.values.map(\.definition)
            parts.append(Printer.print(def))
        }
        return parts.joined(separator: "\n\n") + "\n"
    }
}

extension InputValueDef {
    var definition: InputValueDefinition {
        InputValueDefinition(description: description, name: Name(name), type: type, defaultValue: defaultValue, directives: directives, span: .none)
    }
}

extension TypeKind {
    var definitionKind: TypeDefinitionKind {
        switch self {
        case .scalar: return .scalar
        case .object: return .object
        case .interface: return .interface
        case .union: return .union
        case .enumType: return .enumType
        case .inputObject: return .inputObject
        }
    }
}
