import OrderedCollections

/// Input and result coercion (spec §3.5 Scalars, §3.9 Enums, §3.10 Input Objects, §6.4.1, §6.4.2).
enum Values {
    /// CoerceVariableValues (§6.4.1). Errors name the variable and what was wrong.
    /// `hints`: "Did you mean" suggestions in the messages (only where the schema is introspectable too).
    static func coerceVariables(_ schema: Schema, _ definitions: [VariableDefinition], _ inputs: OrderedDictionary<String, JSON>,
                                source: Source?, hints: Bool = true) -> Result<OrderedDictionary<String, JSON>, GraphQLErrors> {
        var coerced = OrderedDictionary<String, JSON>()
        var errors: [GraphQLError] = []
        /// Adds an error; false once the limit is reached (the last error then says so).
        func add(_ message: String, _ loc: [SourceLocation]) -> Bool {
            if errors.count >= maxErrors {
                errors.append(GraphQLError("Too many errors processing variables, error limit reached. Execution aborted.", code: "BAD_USER_INPUT"))
                return false
            }
            errors.append(GraphQLError(message, locations: loc, code: "BAD_USER_INPUT"))
            return true
        }
        for def in definitions {
            let name = def.variable.value
            let loc = source.map { [$0.location(of: Int(def.span.start))] } ?? []
            guard let namedType = schema.namedType(def.type), namedType.kind.isInput else {
                guard add("Variable \"$\(name)\" expected value of type \"\(def.type)\" which cannot be used as an input type.", loc) else { break }
                continue
            }
            if let value = inputs[name] {
                if value.isNull, case .nonNull = def.type {
                    guard add("Variable \"$\(name)\" of non-null type \"\(def.type)\" must not be null.", loc) else { break }
                    continue
                }
                // Coerced without tracking where it is; a failure is walked again for every
                // problem in the value (graphql-js reports each, with where it is).
                switch coerceInput(schema, value, def.type) {
                case .success(let v): coerced[name] = v
                case .failure(let first):
                    var found: [Problem] = []
                    problems(schema, value, def.type, path: "", hints: hints && schema.introspectionEnabled, into: &found)
                    if found.isEmpty { found = [Problem(path: "", value: value, message: first.message)] }
                    for p in found {
                        let at = p.path.isEmpty ? "" : " at \"\(name)\(p.path)\""
                        let shown = p.value.isFiniteThroughout ? Self.shown(p.value) : "(a number beyond a double's range)"
                        guard add("Variable \"$\(name)\" got invalid value \(shown)\(at); \(p.message)", loc) else { return .failure(GraphQLErrors(errors)) }
                    }
                }
            } else if let d = def.defaultValue {
                if let v = try? literal(schema, d, def.type, variables: [:]) { coerced[name] = v }
            } else if case .nonNull = def.type {
                guard add("Variable \"$\(name)\" of required type \"\(def.type)\" was not provided.", loc) else { break }
            }
        }
        return errors.isEmpty ? .success(coerced) : .failure(GraphQLErrors(errors))
    }

    /// A value as an error shows it, as graphql-js's messages do (`{ id: "1", tags: ["a"] }`:
    /// keys bare, strings quoted, containers three deep and deeper as `[Object]`/`[Array]`, ten
    /// items of a list and how many more), cut after about `limit` bytes with `…` (an error per
    /// problem echoed a large value whole: a 1 MB variable answered with 49 MB of errors).
    static func shown(_ value: JSON, limit: Int = 200) -> String {
        var out = ""
        func walk(_ v: JSON, _ depth: Int) -> Bool {
            guard out.utf8.count <= limit else { return false }
            switch v {
            case .object(let o) where o.isEmpty: out += "{}"
            case .array(let a) where a.isEmpty: out += "[]"
            case .object where depth > 2: out += "[Object]"
            case .array where depth > 2: out += "[Array]"
            case .object(let o):
                out += "{ "
                for (i, (k, x)) in o.enumerated() {
                    if i > 0 { out += ", " }
                    out += (k.utf8.count > limit ? String(k.prefix(limit)) : k) + ": "
                    guard walk(x, depth + 1) else { return false }
                }
                out += " }"
            case .array(let a):
                out += "["
                for (i, x) in a.prefix(10).enumerated() {
                    if i > 0 { out += ", " }
                    guard walk(x, depth + 1) else { return false }
                }
                let more = a.count - 10
                if more > 0 { out += more == 1 ? ", ... 1 more item" : ", ... \(more) more items" }
                out += "]"
            case .string(let s) where s.utf8.count > limit:
                out += JSON.string(String(s.prefix(limit))).text
            case .double(let d):
                out += Introspection.javaScriptNumber(d)
            default:
                out += v.text
            }
            return out.utf8.count <= limit
        }
        if walk(value, 1) { return out }
        var cut = ""
        for c in out {
            if cut.utf8.count + c.utf8.count > limit { break }
            cut.append(c)
        }
        return cut + "…"
    }

    struct CoercionError: Error {
        var message: String
        /// Where in the document the error is (an argument's value), when not at the field.
        var at: Span? = nil
    }

    /// At most this many variable errors are reported (graphql-js's limit); the rest end the
    /// request with one more that says so.
    static let maxErrors = 50

    /// One thing wrong in a variable's value: where (`.field[1]`, empty at the top), the value
    /// found there, and what is wrong with it.
    struct Problem {
        var path: String
        var value: JSON
        var message: String
    }

    /// Every problem in `value` as `type`, in the order graphql-js finds them: a list's items
    /// in order; an input object's fields in the type's order (a missing required one at the
    /// object), then its unknown fields, then @oneOf's rule. Only walked once coercion failed.
    static func problems(_ schema: Schema, _ value: JSON, _ type: TypeReference, path: String, hints: Bool, into found: inout [Problem]) {
        guard found.count <= maxErrors else { return }
        func add(_ message: String) { found.append(Problem(path: path, value: value, message: message)) }
        switch type {
        case .nonNull(let inner):
            if value.isNull { return add("Expected non-nullable type \"\(type)\" not to be null.") }
            problems(schema, value, inner, path: path, hints: hints, into: &found)
        case .list(let inner):
            if value.isNull { return }
            if case .array(let items) = value {
                for (i, item) in items.enumerated() {
                    if found.count > maxErrors { return }
                    problems(schema, item, inner, path: path + "[\(i)]", hints: hints, into: &found)
                }
            } else {
                problems(schema, value, inner, path: path, hints: hints, into: &found)
            }
        case .named(let n):
            if value.isNull { return }
            guard let t = schema.types[n.value] else { return add("Unknown type \"\(n.value)\".") }
            switch t.kind {
            case .scalar:
                if coerceScalarInput(t.name, value) == nil { add(scalarInputMessage(t.name, value)) }
            case .enumType:
                if case .string(let s) = value, t.enumValues[s] != nil { return }
                var hint = ""
                if hints {
                    // A value that is not a string is compared as graphql-js shows it (`true`).
                    let given: String
                    if case .string(let s) = value { given = s } else { given = shown(value) }
                    hint = Suggestions.didYouMean(Suggestions.list(given, Array(t.enumValues.keys)), subMessage: "the enum value")
                }
                add(enumInputMessage(t, value, hint: hint))
            case .inputObject:
                guard case .object(let fields) = value else { return add("Expected type \"\(t.name)\" to be an object.") }
                for (fname, f) in t.inputFields {
                    if found.count > maxErrors { return }
                    if let v = fields[fname] {
                        problems(schema, v, f.type, path: path + ".\(fname)", hints: hints, into: &found)
                    } else if f.defaultValue == nil, case .nonNull = f.type {
                        add("Field \"\(fname)\" of required type \"\(f.type)\" was not provided.")
                    }
                }
                for key in fields.keys where t.inputFields[key] == nil {
                    if found.count > maxErrors { return }
                    let hint = hints ? Suggestions.didYouMean(Suggestions.list(key, Array(t.inputFields.keys))) : ""
                    add("Field \"\(key)\" is not defined by type \"\(t.name)\".\(hint)")
                }
                if t.isOneOf {
                    // Counted among the type's own fields (an unknown one is its own problem).
                    let known = fields.filter { t.inputFields[$0.key] != nil }
                    if known.count != 1 { add("Exactly one key must be specified for OneOf type \"\(t.name)\".") }
                    if let key = known.keys.first, known.values.first?.isNull == true {
                        found.append(Problem(path: path + ".\(key)", value: .null, message: "Field \"\(key)\" must be non-null."))
                    }
                }
            default:
                add("\"\(t.name)\" is not an input type.")
            }
        }
    }

    /// Input coercion of a JSON value (variables) to a type; a failure's message says what
    /// was wrong first, not where (`problems` says every what and where).
    static func coerceInput(_ schema: Schema, _ value: JSON, _ type: TypeReference) -> Result<JSON, CoercionError> {
        coerced(schema, value, type).map { $0 ?? value }
    }

    /// `coerceInput`, with nil for a value that coerces to itself (most do: a list or an input
    /// object is then not built again, value by value — an append's hundred events were rebuilt
    /// and freed once per request). An input object coerces to itself when its fields come in
    /// the type's order, coerce to themselves, and none takes a default.
    private static func coerced(_ schema: Schema, _ value: JSON, _ type: TypeReference) -> Result<JSON?, CoercionError> {
        switch type {
        case .nonNull(let inner):
            if value.isNull { return .failure(CoercionError(message: "Expected non-nullable type \"\(type)\" not to be null.")) }
            return coerced(schema, value, inner)
        case .list(let inner):
            if value.isNull { return .success(nil) }
            if case .array(let items) = value {
                var out: [JSON]? = nil   // made at the first item that changes
                for (i, item) in items.enumerated() {
                    switch coerced(schema, item, inner) {
                    case .success(nil): out?.append(item)
                    case .success(let v?):
                        if out == nil {
                            out = Array(items[..<i])
                            out!.reserveCapacity(items.count)
                        }
                        out!.append(v)
                    case .failure(let e): return .failure(e)
                    }
                }
                return .success(out.map(JSON.array))
            }
            // A single value is coerced to a list of one (§3.11 Input Coercion).
            return coerced(schema, value, inner).map { .array([$0 ?? value]) }
        case .named(let n):
            if value.isNull { return .success(nil) }
            // The built-in scalars without a lookup (a schema cannot redefine them).
            switch (n.value, value) {
            case ("String", .string), ("ID", .string), ("Boolean", .bool): return .success(nil)
            case ("Int", .int(let i)) where i >= Int(Int32.min) && i <= Int(Int32.max): return .success(nil)
            case ("Float", .double(let d)) where d.isFinite: return .success(nil)
            default: break
            }
            guard let t = schema.types[n.value] else { return .failure(CoercionError(message: "Unknown type \"\(n.value)\".")) }
            switch t.kind {
            case .scalar:
                if let v = coerceScalarInput(t.name, value) { return .success(v) }
                return .failure(CoercionError(message: "\(scalarInputMessage(t.name, value))"))
            case .enumType:
                if case .string(let s) = value, t.enumValues[s] != nil { return .success(nil) }
                return .failure(CoercionError(message: enumInputMessage(t, value, hint: "")))
            case .inputObject:
                guard case .object(let fields) = value else {
                    return .failure(CoercionError(message: "Expected type \"\(t.name)\" to be an object."))
                }
                var out: OrderedDictionary<String, JSON>? = nil   // made at the first difference
                var found = 0
                /// The fields before `name`, as they were (none of them changed).
                func unchangedBefore(_ name: String) -> OrderedDictionary<String, JSON> {
                    var o = OrderedDictionary<String, JSON>(minimumCapacity: t.inputFields.count)
                    for fname in t.inputFields.keys {
                        if fname == name { break }
                        if let v = fields[fname] { o[fname] = v }
                    }
                    return o
                }
                for (fname, f) in t.inputFields {
                    if let i = fields.index(forKey: fname) {
                        let v = fields.values[i]
                        switch coerced(schema, v, f.type) {
                        case .success(let c):
                            if out == nil, c != nil || i != found { out = unchangedBefore(fname) }
                            out?[fname] = c ?? v
                        case .failure(let e): return .failure(e)
                        }
                        found += 1
                    } else if let d = f.defaultValue {
                        // Every given field already taken, in order: the default goes after them.
                        if out == nil {
                            if found == fields.count {
                                out = fields
                                out!.reserveCapacity(t.inputFields.count)   // one copy, with room for the defaults
                            } else {
                                out = unchangedBefore(fname)
                            }
                        }
                        if let c = try? literal(schema, d, f.type, variables: [:]) { out![fname] = c }
                    } else if case .nonNull = f.type {
                        return .failure(CoercionError(message: "Field \"\(fname)\" of required type \"\(f.type)\" was not provided."))
                    }
                }
                if found < fields.count {
                    for key in fields.keys where t.inputFields[key] == nil {
                        return .failure(CoercionError(message: "Field \"\(key)\" is not defined by type \"\(t.name)\"."))
                    }
                }
                if t.isOneOf {
                    let result = out ?? fields
                    if result.count != 1 { return .failure(CoercionError(message: "Exactly one key must be specified for OneOf type \"\(t.name)\".")) }
                    if result.values.first?.isNull == true {
                        return .failure(CoercionError(message: "Field \"\(result.keys.first!)\" must be non-null."))
                    }
                }
                return .success(out.map(JSON.object))
            default:
                return .failure(CoercionError(message: "\"\(t.name)\" is not an input type."))
            }
        }
    }

    /// Why a variable's value is no `scalar` (graphql-js's parseValue wording).
    static func scalarInputMessage(_ scalar: String, _ value: JSON) -> String {
        switch scalar {
        case "Int":
            if case .int(let i) = value { return "Int cannot represent non 32-bit signed integer value: \(i)" }
            // An integral number beyond 32 bits is an integer still (`1e+300`).
            if case .double(let d) = value, d.isFinite, d.rounded() == d {
                return "Int cannot represent non 32-bit signed integer value: \(Introspection.javaScriptNumber(d))"
            }
            return "Int cannot represent non-integer value: \(shown(value))"
        case "Float": return "Float cannot represent non numeric value: \(shown(value))"
        case "String": return "String cannot represent a non string value: \(shown(value))"
        case "Boolean": return "Boolean cannot represent a non boolean value: \(shown(value))"
        case "ID": return "ID cannot represent value: \(shown(value))"
        default:
            if !value.isFiniteThroughout { return "\(scalar) cannot represent it: JSON numbers must be finite doubles." }
            return "Expected value of type \"\(scalar)\", found \(shown(value))."
        }
    }

    /// Why a variable's value is no value of enum `t` (graphql-js's parseValue wording).
    static func enumInputMessage(_ t: NamedType, _ value: JSON, hint: String) -> String {
        guard case .string(let s) = value else { return "Enum \"\(t.name)\" cannot represent non-string value: \(shown(value)).\(hint)" }
        return "Value \(JSON.string(s).text) does not exist in \"\(t.name)\" enum.\(hint)"
    }

    /// Input coercion of a built-in scalar from JSON (§3.5); custom scalars accept any JSON.
    static func coerceScalarInput(_ scalar: String, _ value: JSON) -> JSON? {
        switch scalar {
        case "Int":
            if case .int(let i) = value, i >= Int(Int32.min), i <= Int(Int32.max) { return value }
            if case .double(let d) = value, d.rounded() == d, d >= Double(Int32.min), d <= Double(Int32.max) { return .int(Int(d)) }
            return nil
        case "Float":
            if case .int(let i) = value { return .double(Double(i)) }
            if case .double(let d) = value, d.isFinite { return value }
            return nil
        case "String":
            if case .string = value { return value }
            return nil
        case "Boolean":
            if case .bool = value { return value }
            return nil
        case "ID":
            if case .string = value { return value }
            if case .int(let i) = value { return .string(String(i)) }
            // An integer written with a fraction or an exponent (`5.0`, `1e3`) is still an integer
            // (JSON has one number type); one beyond 64 bits reads as the double nearest it.
            if case .double(let d) = value, d.isFinite, d.rounded() == d {
                if let i = Int(exactly: d) { return .string(String(i)) }
                return .string(integerDigits(d))
            }
            return nil
        default:
            // Any JSON, except a number JSON cannot write back (`1e400` reads as infinity, which
            // would reach the subgraph as null: a value the client sent silently changed).
            return value.isFiniteThroughout ? value : nil
        }
    }

    /// The decimal digits of an integral double beyond 64 bits (its exact value: significand × 2^e).
    static func integerDigits(_ d: Double) -> String {
        var digits: [UInt8] = []   // least significant first
        var m = (d.significandBitPattern | (1 << 52))
        while m > 0 { digits.append(UInt8(m % 10)); m /= 10 }
        for _ in 0..<max(0, Int(d.exponent) - 52) {
            var carry: UInt8 = 0
            for i in digits.indices {
                let v = digits[i] * 2 + carry
                digits[i] = v % 10
                carry = v / 10
            }
            if carry > 0 { digits.append(carry) }
        }
        return (d < 0 ? "-" : "") + String(decoding: digits.reversed().map { $0 + 48 }, as: UTF8.self)
    }

    /// CoerceArgumentValues / literal input coercion: an AST value (with variables) to JSON.
    /// Throws a CoercionError with a message for validation-style failures.
    static func literal(_ schema: Schema, _ value: Value, _ type: TypeReference, variables: OrderedDictionary<String, JSON>) throws -> JSON {
        if case .variable(let v) = value {
            guard let j = variables[v] else { return .null }
            if j.isNull, case .nonNull = type { throw CoercionError(message: "Variable \"$\(v)\" of non-null type \"\(type)\" must not be null.") }
            return j
        }
        switch type {
        case .nonNull(let inner):
            if value.isNull { throw CoercionError(message: "Expected value of type \"\(type)\", found null.") }
            return try literal(schema, value, inner, variables: variables)
        case .list(let inner):
            if value.isNull { return .null }
            if case .list(let items) = value {
                return .array(try items.map { item in
                    if case .variable(let v) = item, variables[v] == nil {
                        if case .nonNull = inner { throw CoercionError(message: "Expected value of type \"\(inner)\", found null.") }
                        return .null
                    }
                    return try literal(schema, item, inner, variables: variables)
                })
            }
            return .array([try literal(schema, value, inner, variables: variables)])
        case .named(let n):
            if value.isNull { return .null }
            guard let t = schema.types[n.value] else { throw CoercionError(message: "Unknown type \"\(n.value)\".") }
            switch t.kind {
            case .scalar:
                if let j = scalarLiteral(t.name, value, variables: variables) { return j }
                throw CoercionError(message: "\(t.name) cannot represent value: \(Printer.print(value))")
            case .enumType:
                if case .enumValue(let e) = value, t.enumValues[e] != nil { return .string(e) }
                throw CoercionError(message: "Value \"\(Printer.print(value))\" does not exist in \"\(t.name)\" enum.")
            case .inputObject:
                guard case .object(let fields) = value else {
                    throw CoercionError(message: "Expected value of type \"\(t.name)\", found \(Printer.print(value)).")
                }
                var out = OrderedDictionary<String, JSON>()
                for (fname, f) in t.inputFields {
                    if let field = fields.first(where: { $0.name.value == fname }) {
                        if case .variable(let v) = field.value, variables[v] == nil {
                            if let d = f.defaultValue { out[fname] = try literal(schema, d, f.type, variables: [:]) }
                            else if case .nonNull = f.type { throw CoercionError(message: "Field \"\(t.name).\(fname)\" of required type \"\(f.type)\" was not provided.") }
                            continue
                        }
                        out[fname] = try literal(schema, field.value, f.type, variables: variables)
                    } else if let d = f.defaultValue {
                        out[fname] = try literal(schema, d, f.type, variables: [:])
                    } else if case .nonNull = f.type {
                        throw CoercionError(message: "Field \"\(t.name).\(fname)\" of required type \"\(f.type)\" was not provided.")
                    }
                }
                if t.isOneOf, out.count != 1 || out.values.first?.isNull == true {
                    throw CoercionError(message: "OneOf Input Object \"\(t.name)\" must specify exactly one non-null key.")
                }
                return .object(out)
            default:
                throw CoercionError(message: "\"\(t.name)\" is not an input type.")
            }
        }
    }

    /// A literal for a scalar type, or nil if it cannot be coerced (§3.5 Input Coercion).
    /// A custom scalar's literal is taken as JSON, its variables given their values (graphql-js:
    /// `valueFromASTUntyped`); validation passes none (variables are checked on their own).
    static func scalarLiteral(_ scalar: String, _ value: Value, variables: OrderedDictionary<String, JSON> = [:]) -> JSON? {
        switch (scalar, value) {
        case ("Int", .int(let s)):
            guard let i = Int(s), i >= Int(Int32.min), i <= Int(Int32.max) else { return nil }
            return .int(i)
        case ("Float", .int(let s)), ("Float", .float(let s)):
            guard let d = Double(s), d.isFinite else { return nil }
            return .double(d)
        case ("String", .string(let s, _)): return .string(s)
        case ("Boolean", .boolean(let b)): return .bool(b)
        case ("ID", .string(let s, _)): return .string(s)
        case ("ID", .int(let s)): return .string(s)
        case ("Int", _), ("Float", _), ("String", _), ("Boolean", _), ("ID", _): return nil
        default: return valueToJSON(value, variables: variables)
        }
    }

    /// An AST value as plain JSON (custom scalars), variables substituted.
    static func valueToJSON(_ value: Value, variables: OrderedDictionary<String, JSON>) -> JSON {
        switch value {
        case .variable(let v): return variables[v] ?? .null
        case .int(let s): return Int(s).map(JSON.int) ?? .double(Double(s) ?? 0)
        case .float(let s): return .double(Double(s) ?? 0)
        case .string(let s, _): return .string(s)
        case .boolean(let b): return .bool(b)
        case .null: return .null
        case .enumValue(let e): return .string(e)
        case .list(let items): return .array(items.map { valueToJSON($0, variables: variables) })
        case .object(let fields):
            var o = OrderedDictionary<String, JSON>()
            for f in fields { o[f.name.value] = valueToJSON(f.value, variables: variables) }
            return .object(o)
        }
    }

    /// Result coercion of a leaf (§3.5 Result Coercion, §3.9): nil when the value cannot be represented.
    /// A string read as a number the way graphql-js reads a leaf's string result (JavaScript's
    /// `Number`): surrounding white space ignored, a decimal literal with an optional exponent, or
    /// an unsigned `0x`/`0o`/`0b` integer. Nil for anything else (empty, `Infinity`, `nan`, and
    /// forms only Swift's `Double` reads, such as hexadecimal floats).
    static func numberValue(_ text: String) -> Double? {
        let scalars = text.unicodeScalars
        let isSpace: (Unicode.Scalar) -> Bool = { $0.properties.isWhitespace || $0 == "\u{FEFF}" }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else { return nil }
        let s = String(scalars[first...last])
        let u = Array(s.utf8)
        guard !u.isEmpty else { return nil }
        if u.count > 2, u[0] == UInt8(ascii: "0") {
            let radix: Int? = switch u[1] | 0x20 { case UInt8(ascii: "x"): 16; case UInt8(ascii: "o"): 8; case UInt8(ascii: "b"): 2; default: nil }
            if let radix { return UInt64(s.dropFirst(2), radix: radix).map(Double.init) }
        }
        var i = 0, digits = 0
        func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        if u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") { i += 1 }
        while i < u.count, isDigit(u[i]) { i += 1; digits += 1 }
        if i < u.count, u[i] == UInt8(ascii: ".") {
            i += 1
            while i < u.count, isDigit(u[i]) { i += 1; digits += 1 }
        }
        guard digits > 0 else { return nil }
        if i < u.count, u[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < u.count, u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") { i += 1 }
            let start = i
            while i < u.count, isDigit(u[i]) { i += 1 }
            guard i > start else { return nil }
        }
        guard i == u.count else { return nil }
        return Double(s)
    }

    /// A finite double as JavaScript's `Number.prototype.toString` writes it (ECMAScript
    /// Number::toString): the shortest digits that read back to it, in fixed notation from 1e-6 up
    /// to 1e21 (no ".0" for a whole number), else as `d.ddde±n`.
    public static func javaScriptString(_ d: Double) -> String {
        if d == 0 { return "0" }
        // Swift's description has the same shortest digits: "123.45", "1e-07", "1.5e+17".
        var text = Swift.abs(d).description
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        let point = text.firstIndex(of: ".").map { text.distance(from: text.startIndex, to: $0) } ?? text.count
        var digits = Array(text.filter { $0 != "." })
        // value = 0.digits × 10^n
        var n = point + exponent
        while digits.first == "0" { digits.removeFirst(); n -= 1 }
        while digits.last == "0" { digits.removeLast() }
        if digits.isEmpty { return "0" }
        let k = digits.count
        let sign = d < 0 ? "-" : ""
        if k <= n && n <= 21 { return sign + String(digits) + String(repeating: "0", count: n - k) }
        if 0 < n && n <= 21 { return sign + String(digits[..<n]) + "." + String(digits[n...]) }
        if -6 < n && n <= 0 { return sign + "0." + String(repeating: "0", count: -n) + String(digits) }
        let e = n - 1
        return sign + String(digits[0]) + (k > 1 ? "." + String(digits[1...]) : "") + "e" + (e >= 0 ? "+" : "-") + String(Swift.abs(e))
    }

    static func serializeLeaf(_ type: NamedType, _ value: JSON) -> JSON? {
        if type.kind == .enumType {
            if case .string(let s) = value, type.enumValues[s] != nil { return value }
            return nil
        }
        switch type.builtInScalar {
        case .int?:
            switch value {
            case .int(let i): return i >= Int(Int32.min) && i <= Int(Int32.max) ? value : nil
            case .double(let d): return d.rounded() == d && d >= Double(Int32.min) && d <= Double(Int32.max) ? .int(Int(d)) : nil
            case .bool(let b): return .int(b ? 1 : 0)
            case .string(let s):
                guard let d = numberValue(s), d.rounded() == d, d >= Double(Int32.min), d <= Double(Int32.max) else { return nil }
                return .int(Int(d))
            default: return nil
            }
        case .float?:
            switch value {
            case .int(let i): return .double(Double(i))
            case .double(let d): return d.isFinite ? value : nil
            case .bool(let b): return .double(b ? 1 : 0)
            case .string(let s): return numberValue(s).flatMap { $0.isFinite ? .double($0) : nil }
            default: return nil
            }
        case .string?:
            switch value {
            case .string: return value
            case .int(let i): return .string(String(i))
            // As graphql-js: a finite number as JavaScript writes it (1.0 is "1", 1e21 "1e+21").
            case .double(let d): return d.isFinite ? .string(javaScriptString(d)) : nil
            case .bool(let b): return .string(b ? "true" : "false")
            default: return nil
            }
        case .boolean?:
            switch value {
            case .bool: return value
            case .int(let i): return .bool(i != 0)
            case .double(let d): return d.isFinite ? .bool(d != 0) : nil
            default: return nil
            }
        case .id?:
            switch value {
            case .string: return value
            case .int(let i): return .string(String(i))
            case .double(let d): return Int(exactly: d).map { .string(String($0)) }
            default: return nil
            }
        default:
            return value
        }
    }
}

extension JSON {
    /// No number in it is infinite or NaN (what JSON can write).
    var isFiniteThroughout: Bool {
        switch self {
        case .double(let d): return d.isFinite
        case .array(let a): return a.allSatisfy(\.isFiniteThroughout)
        case .object(let o): return o.values.allSatisfy(\.isFiniteThroughout)
        default: return true
        }
    }
}

extension Value {
    /// This literal as plain JSON, as a request would send it (no variables in it: a default
    /// value's; a variable reads as null).
    public var plainJSON: JSON { Values.valueToJSON(self, variables: [:]) }
}

extension Schema {
    /// Whether `value` (a literal without variables, a default's) is a value of `type` here.
    public func accepts(_ value: Value, as type: TypeReference) -> Bool {
        (try? Values.literal(self, value, type, variables: [:])) != nil
    }
}
