/// Every literal value fits the input type expected where it is written.
/// https://spec.graphql.org/October2021/#sec-Values-of-Correct-Type
public final class ValuesOfCorrectTypeRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }

    public func visit(_ event: TypeInfoWalker.Event, _ info: TypeInfoWalker.Info) {
        switch event {
        case .argument(let a, let def?), .directiveArgument(let a, let def?):
            check(a.value, def.type) { a.valueSpan }
        case .variableDefinition(let v):
            // Located at the default value itself (graphql-js), found again in the source.
            if let d = v.defaultValue {
                check(d, v.type) {
                    guard let source = self.context.source,
                          let start = LiteralLayout.variableDefinitionStarts(in: source, at: Int(v.span.start))?.defaultValue else { return v.span }
                    return Span(start, start)
                }
            }
        default: break
        }
    }

    /// Checks `value` as `type`; `at` gives where the value is, asked only for an error (a part
    /// of a list or input object is found in the source then).
    /// `full`: the type as written where a non-null wrapper was taken off (messages name it).
    func check(_ value: Value, _ type: TypeReference, _ at: () -> Span, full: TypeReference? = nil) {
        guard !context.isFull else { return }
        if case .variable = value { return }
        switch type {
        case .nonNull(let inner):
            if value.isNull {
                context.report("Expected value of type \"\(type)\", found null.", [at()])
                return
            }
            check(value, inner, at, full: type)
        case .list(let inner):
            if value.isNull { return }   // a nullable list may be null, whatever its items' type
            if case .list(let items) = value {
                for (i, item) in items.enumerated() { check(item, inner) { self.part(i, of: at()) } }
            } else {
                check(value, inner, at)
            }
        case .named(let n):
            if value.isNull { return }
            // The commonest literals, correct without a schema lookup.
            switch (n.value, value) {
            case ("String", .string), ("ID", .string), ("Boolean", .boolean): return
            default: break
            }
            guard let t = context.schema.types[n.value] else { return }
            switch t.kind {
            case .inputObject: checkObject(value, t, at, full: full ?? type)
            case .enumType:
                // graphql-js: the value as printed, against every value's name.
                func hint(_ printed: String) -> String {
                    context.suggests ? Suggestions.didYouMean(Suggestions.list(printed, Array(t.enumValues.keys)), subMessage: "the enum value") : ""
                }
                guard case .enumValue(let e) = value else {
                    let printed = Printer.print(value)
                    context.report("Enum \"\(t.name)\" cannot represent non-enum value: \(printed).\(hint(printed))", [at()])
                    return
                }
                if t.enumValues[e] == nil {
                    context.report("Value \"\(e)\" does not exist in \"\(t.name)\" enum.\(hint(e))", [at()])
                }
            case .scalar:
                if Values.scalarLiteral(t.name, value) == nil {
                    context.report(scalarMessage(t.name, value), [at()])
                }
            default:
                break
            }
        }
    }

    func scalarMessage(_ scalar: String, _ value: Value) -> String {
        let printed = Printer.print(value)
        switch scalar {
        case "Int":
            if case .int = value { return "Int cannot represent non 32-bit signed integer value: \(printed)" }
            return "Int cannot represent non-integer value: \(printed)"
        case "Float": return "Float cannot represent non numeric value: \(printed)"
        case "String": return "String cannot represent a non string value: \(printed)"
        case "Boolean": return "Boolean cannot represent a non boolean value: \(printed)"
        case "ID": return "ID cannot represent a non-string and non-integer value: \(printed)"
        default: return "Expected value of type \"\(scalar)\", found \(printed)."
        }
    }

    /// Where part `index` (a list's item, an input object field's value, in the order written)
    /// of the value at `container` starts; the container when it cannot be found.
    func part(_ index: Int, of container: Span) -> Span {
        guard let source = context.source, container != .none else { return container }
        // Each container is lexed once, however many of its parts are wrong.
        let starts = partStarts[container.start] ?? LiteralLayout.partStarts(in: source, at: Int(container.start))
        partStarts[container.start] = starts
        return index < starts.count ? Span(starts[index], starts[index]) : container
    }
    private var partStarts: [Int32: [Int]] = [:]

    func checkObject(_ value: Value, _ t: NamedType, _ at: () -> Span, full: TypeReference) {
        guard !context.isFull else { return }
        guard case .object(let fields) = value else {
            context.report("Expected value of type \"\(full)\", found \(Printer.print(value)).", [at()])
            return
        }
        // graphql-js's order: the object's own errors (required fields, `@oneOf`), then each
        // field's in the order written.
        for (name, def) in t.inputFields {
            guard case .nonNull = def.type, def.defaultValue == nil, !fields.contains(where: { $0.name.value == name }) else { continue }
            context.report("Field \"\(t.name).\(name)\" of required type \"\(def.type)\" was not provided.", [at()])
        }
        if t.isOneOf {
            if fields.count != 1 {
                context.report("OneOf Input Object \"\(t.name)\" must specify exactly one key.", [at()])
            } else if fields[0].value.isNull {
                context.report("Field \"\(t.name).\(fields[0].name.value)\" must be non-null.", [at()])
            }
            // A variable there is checked where every variable's position is: a OneOf field is a
            // non-null position (§5.8.5 IsNonNullPosition), which a nullable variable with a
            // default other than null may take (VariablesInAllowedPositionRule).
        }
        for (i, f) in fields.enumerated() {
            if let def = t.inputFields[f.name.value] {
                check(f.value, def.type) { self.part(i, of: at()) }
            } else {
                let hint = context.suggests ? Suggestions.didYouMean(Suggestions.list(f.name.value, Array(t.inputFields.keys))) : ""
                context.report("Field \"\(f.name.value)\" is not defined by type \"\(t.name)\".\(hint)", [f.span])
            }
        }
    }
}
