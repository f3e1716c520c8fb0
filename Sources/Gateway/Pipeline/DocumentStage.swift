import GraphQLCore
import OrderedCollections
import Synchronization

/// Stage: the document. Parsed within the parser's bounds (tokens, depth), or taken from the
/// cache of documents that already passed validation against this pipeline's schema.
struct DocumentStage: Sendable {
    let parserOptions: ParserOptions
    /// Documents that passed validation: 1,000 at most, and 16 MiB counting each as its text
    /// (twice: the key and the source) and its parsed form (`Document.estimatedBytes`).
    let cache = BoundedCache<CachedDocument>(maxEntries: 1_000, maxBytes: 16 << 20)
    /// A document is kept from the second time it passes validation. A document sent once (a
    /// mutation with its values written in, such as an append of 100 events to a new stream) would
    /// otherwise be copied and hashed into the cache and push out one that is used again.
    let seenOnce = SightingFilter(slots: 4_096)

    struct Parsed {
        let document: Document
        let source: Source
        /// It passed validation before (it came from the cache).
        let validated: Bool
        /// What the later stages found out about the document, kept with it in the cache.
        let checks: DocumentChecks
    }

    func document(_ request: GraphQLRequest) throws(PipelineError) -> Parsed {
        // An empty query is a document that does not parse (400), not a request without one (422).
        guard let query = request.query else {
            throw PipelineError(.invalidRequest, "A GraphQL request must include a \"query\" string.")
        }
        if let cached = cache.get(query) { return Parsed(document: cached.document, source: cached.source, validated: true, checks: cached.checks) }
        let source = Source(query)
        do {
            return Parsed(document: try Parser.parse(source, options: parserOptions), source: source, validated: false, checks: DocumentChecks())
        } catch let e as GraphQLError {
            throw PipelineError(.parse, errors: [e])
        } catch {
            throw PipelineError(.parse, "\(error)")
        }
    }

    /// Keeps a document that passed validation if it passed before; whether it did.
    func remember(_ parsed: Parsed) -> Bool {
        guard seenOnce.sawBefore(parsed.source.bytes) else { return false }
        let text = String(decoding: parsed.source.bytes, as: UTF8.self)
        cache.put(text, CachedDocument(document: parsed.document, source: parsed.source, checks: parsed.checks),
                  bytes: parsed.source.bytes.count * 2 + parsed.document.estimatedBytes)
        return true
    }
}

/// Which byte strings were seen before, approximately: a fixed table of their hashes. A string
/// is reported seen when its hash is in its slot; two strings sharing a slot push each other out
/// (a later sighting then counts as a first), and a hash collision reports a first sighting as a
/// second. Either only moves when a document is cached.
final class SightingFilter: Sendable {
    private let slots: Mutex<[Int]>

    init(slots count: Int) { slots = Mutex([Int](repeating: 0, count: max(1, count))) }

    /// Whether `bytes` was seen before; records this sighting.
    func sawBefore(_ bytes: [UInt8]) -> Bool {
        var hasher = Hasher()
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        let hash = hasher.finalize()
        let h = hash == 0 ? 1 : hash  // 0 marks an empty slot
        return slots.withLock { s in
            let i = Int(UInt(bitPattern: hash) % UInt(s.count))
            if s[i] == h { return true }
            s[i] = h
            return false
        }
    }
}

struct CachedDocument: Sendable {
    let document: Document
    let source: Source
    let checks: DocumentChecks
}

/// What a pipeline's stages found out about one document that no request can change (the
/// pipeline's limits and schema are fixed): the operations that passed the operation limits, and
/// the estimated cost of operations without variables. A request for a cached document then
/// skips those walks of it.
final class DocumentChecks: Sendable {
    private struct State {
        var withinLimits: Set<String> = []
        /// By operation and variables (`costKey`), at most `maxCosts`.
        var costs: [ExactText: Int] = [:]
        var allowedWhole: Set<ExactText> = []
    }
    private let state = Mutex(State())

    /// The key of the operation a request names (nil: the document's only one).
    static func key(_ operationName: String?) -> String { operationName.map { "=" + $0 } ?? "" }

    func withinLimits(_ key: String) -> Bool { state.withLock { $0.withinLimits.contains(key) } }
    func passedLimits(_ key: String) { state.withLock { _ = $0.withinLimits.insert(key) } }
    /// Estimates kept per document: its operations with the sets of variables they came with first.
    static let maxCosts = 64

    /// What an operation's estimate depends on beside the document: its variables as sent (by
    /// bytes). Nil for variables too long to keep as a key (estimated every time).
    static func costKey(_ key: String, _ operation: OperationDefinition, _ variables: OrderedDictionary<String, JSON>) -> ExactText? {
        guard !operation.variableDefinitions.isEmpty, !variables.isEmpty else { return ExactText(key) }
        // A number past a double's range reads as infinity and is written as `null`: two
        // different requests, one key (review of session 51) — such requests are estimated each.
        func finite(_ v: JSON) -> Bool {
            switch v {
            case .double(let d): return d.isFinite
            case .array(let items): return items.allSatisfy(finite)
            case .object(let o): return o.values.allSatisfy(finite)
            default: return true
            }
        }
        guard variables.values.allSatisfy(finite) else { return nil }
        let text = JSON.object(variables).text
        guard text.utf8.count <= 1_024 else { return nil }
        return ExactText(key + "\u{0}" + text)
    }
    func cost(_ key: ExactText) -> Int? { state.withLock { $0.costs[key] } }
    func estimated(_ key: ExactText, _ cost: Int) { state.withLock { if $0.costs.count < Self.maxCosts { $0.costs[key] = cost } } }
    /// Authorization removed nothing from the operation for these credentials (`key`: the
    /// operation's and the credentials', `AuthorizationStage.key`); at most 64 sets are kept.
    func allowsWhole(_ key: String) -> Bool { state.withLock { $0.allowedWhole.contains(ExactText(key)) } }
    func allowedWhole(_ key: String) { state.withLock { if $0.allowedWhole.count < 64 { $0.allowedWhole.insert(ExactText(key)) } } }
}
