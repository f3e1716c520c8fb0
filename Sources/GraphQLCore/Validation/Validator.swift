/// A validation rule: it sees every event of one shared walk, and may check the whole
/// document at the end.
public protocol ValidationRule: AnyObject {
    init(_ context: ValidationContext)
    func visit(_ event: TypeInfoWalker.Event, _ info: TypeInfoWalker.Info)
    func finish()
}

extension ValidationRule {
    public func visit(_ event: TypeInfoWalker.Event, _ info: TypeInfoWalker.Info) {}
    public func finish() {}
}

/// Validates executable documents against a schema with every rule of spec §5.
///
/// ```swift
/// let errors = Validator.validate(schema: schema, document: doc, source: source)
/// ```
public enum Validator {
    /// All rules of the specification, in the order graphql-js runs them.
    public static let specifiedRules: [any ValidationRule.Type] = [
        ExecutableDefinitionsRule.self, OperationTypeExistenceRule.self, UniqueOperationNamesRule.self, LoneAnonymousOperationRule.self,
        SingleFieldSubscriptionsRule.self, KnownTypeNamesRule.self, FragmentsOnCompositeTypesRule.self,
        VariablesAreInputTypesRule.self, ScalarLeafsRule.self, FieldsOnCorrectTypeRule.self,
        UniqueFragmentNamesRule.self, KnownFragmentNamesRule.self, NoUnusedFragmentsRule.self,
        PossibleFragmentSpreadsRule.self, NoFragmentCyclesRule.self, UniqueVariableNamesRule.self,
        NoUndefinedVariablesRule.self, NoUnusedVariablesRule.self, KnownDirectivesRule.self,
        UniqueDirectivesPerLocationRule.self, KnownArgumentNamesRule.self, UniqueArgumentNamesRule.self,
        ValuesOfCorrectTypeRule.self, ProvidedRequiredArgumentsRule.self, VariablesInAllowedPositionRule.self,
        OverlappingFieldsCanBeMergedRule.self, UniqueInputFieldNamesRule.self,
        // Not in the specification; graphql-js runs it with the specified rules.
        MaxIntrospectionDepthRule.self,
        // The incremental delivery RFC's rules (only where the schema has `@defer`).
        DeferDirectiveRule.self,
    ]

    /// `source`, when given, must be the text `document` was parsed from: it places errors, and a
    /// source without a `$` is taken to reference no variable (the variable rules skip their walk).
    public static func validate(schema: Schema, document: Document, source: Source? = nil,
                                rules: [any ValidationRule.Type] = specifiedRules, maxErrors: Int = 100,
                                suggestions: Bool = true) -> [GraphQLError] {
        let context = ValidationContext(schema: schema, document: document, source: source, maxErrors: maxErrors, suggestions: suggestions)
        let instances = rules.map { $0.init(context) }
        var walker = TypeInfoWalker(schema: schema)
        walker.walkDocument(document) { event, info in
            guard !context.isFull else { return }
            for r in instances { r.visit(event, info) }
        }
        for r in instances where !context.isFull { r.finish() }
        return context.errors
    }
}

/// "Did you mean …" suggestions, close names first (Levenshtein distance, like graphql-js).
public enum Suggestions {
    /// graphql-js's `suggestionList`: options within `⌊0.4 × length⌋ + 1` edits (transpositions
    /// count once; a difference of case alone is one), closest first.
    public static func list(_ input: String, _ options: [String]) -> [String] {
        let length = input.utf8.count
        let threshold = Int(Double(length) * 0.4) + 1
        let lower = input.lowercased()
        var scored: [(String, Int)] = []
        for o in options {
            // Lengths further apart than the threshold are that many edits at least: not measured
            // (a 60,000-letter unknown name cost seconds against every type's name).
            if abs(o.utf8.count - length) > threshold { continue }
            let d = o == input ? 0 : o.lowercased() == lower ? 1 : distance(lower, o.lowercased())
            if d <= threshold { scored.append((o, d)) }
        }
        return scored.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : naturalCompare($0.0, $1.0) < 0 }.map(\.0)
    }

    /// graphql-js's `naturalCompare`: UTF-16 code units in order, a run of digits as one number
    /// ("a9" before "a10"); negative when `a` comes first.
    public static func naturalCompare(_ a: String, _ b: String) -> Int {
        let x = Array(a.utf16), y = Array(b.utf16)
        func isDigit(_ c: UInt16?) -> Bool { c.map { $0 >= 48 && $0 <= 57 } ?? false }
        var i = 0, j = 0
        while i < x.count && j < y.count {
            var ca: UInt16? = x[i], cb: UInt16? = y[j]
            if isDigit(ca) && isDigit(cb) {
                // As doubles, as graphql-js reads the run (a run of 20 digits trapped as an `Int`).
                var na = 0.0, nb = 0.0
                repeat { i += 1; na = na * 10 + Double(ca! - 48); ca = i < x.count ? x[i] : nil } while isDigit(ca) && na > 0
                repeat { j += 1; nb = nb * 10 + Double(cb! - 48); cb = j < y.count ? y[j] : nil } while isDigit(cb) && nb > 0
                if na != nb { return na < nb ? -1 : 1 }
            } else {
                if ca! != cb! { return ca! < cb! ? -1 : 1 }
                i += 1
                j += 1
            }
        }
        return x.count - y.count
    }

    /// ` Did you mean "a", "b", or "c"?` (at most five), with `subMessage` before the names
    /// (`the enum value`), as graphql-js writes it.
    public static func didYouMean(_ options: [String], subMessage: String? = nil) -> String {
        guard !options.isEmpty else { return "" }
        let head = " Did you mean " + (subMessage.map { $0 + " " } ?? "")
        let quoted = options.prefix(5).map { "\"\($0)\"" }
        if quoted.count == 1 { return head + "\(quoted[0])?" }
        if quoted.count == 2 { return head + "\(quoted[0]) or \(quoted[1])?" }
        return head + quoted.dropLast().joined(separator: ", ") + ", or " + quoted.last! + "?"
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        // Damerau–Levenshtein (optimal string alignment), as graphql-js measures.
        var before = [Int](repeating: 0, count: b.count + 1)
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                var d = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d = min(d, before[j - 2] + 1) }
                cur[j] = d
            }
            (before, prev, cur) = (prev, cur, before)
        }
        return prev[b.count]
    }
}
