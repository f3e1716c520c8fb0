/// Every variable is used where its type fits (a nullable variable only where a default or
/// a nullable type allows it).
/// https://spec.graphql.org/October2021/#sec-All-Variable-Usages-are-Allowed
public final class VariablesInAllowedPositionRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }

    public func finish() {
        for op in context.document.operations {
            var defs: [String: VariableDefinition] = [:]
            for v in op.variableDefinitions { defs[v.variable.value] = v }
            for u in context.recursiveVariableUsages(op) {
                guard let def = defs[u.name], let location = u.type, context.schema.namedType(def.type) != nil else { continue }
                if !allowed(def, location, u.hasLocationDefault) {
                    context.report("Variable \"$\(u.name)\" of type \"\(def.type)\" used in position expecting type \"\(location)\".", [def.span, u.span])
                }
            }
        }
    }

    /// IsVariableUsageAllowed (§5.8.5).
    func allowed(_ def: VariableDefinition, _ location: TypeReference, _ locationHasDefault: Bool) -> Bool {
        if case .nonNull(let inner) = location, !def.type.isNonNull {
            let hasDefault = def.defaultValue != nil && def.defaultValue?.isNull == false
            guard hasDefault || locationHasDefault else { return false }
            return compatible(def.type, inner)
        }
        return compatible(def.type, location)
    }


    /// AreTypesCompatible(variableType, locationType).
    func compatible(_ variable: TypeReference, _ location: TypeReference) -> Bool {
        switch (variable, location) {
        case (.nonNull(let v), .nonNull(let l)): return compatible(v, l)
        case (_, .nonNull): return false
        case (.nonNull(let v), _): return compatible(v, location)
        case (.list(let v), .list(let l)): return compatible(v, l)
        case (_, .list), (.list, _): return false
        case (.named(let v), .named(let l)): return v.value == l.value
        }
    }
}
