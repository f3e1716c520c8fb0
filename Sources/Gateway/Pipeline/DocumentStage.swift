import GraphQLCore
import OrderedCollections
import Synchronization

/// Stage: the document. Parsed within the parser's bounds (tokens, depth), or taken from the
/// cache of documents that already passed validation against this pipeline's schema.
struct DocumentStage: Sendable {
    let parserOptions: ParserOptions
    /// Documents that passed validation: 1,000 at most, and 16 MiB counting each as four times
    /// its source (what the text and its parsed form hold together).
    let cache = BoundedCache<CachedDocument>(maxEntries: 1_000, maxBytes: 16 << 20)

    struct Parsed {
        let document: Document
        let source: Source
        /// It passed validation before (it came from the cache).
        let validated: Bool
        /// What the later stages found out about the document, kept with it in the cache.
        let checks: DocumentChecks
    }

    func document(_ request: GraphQLRequest) throws(PipelineError) -> Parsed {
        guard let query = request.query, !query.isEmpty else {
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

    /// Keeps a document that passed validation.
    func remember(_ parsed: Parsed) {
        let text = String(decoding: parsed.source.bytes, as: UTF8.self)
        cache.put(text, CachedDocument(document: parsed.document, source: parsed.source, checks: parsed.checks), bytes: parsed.source.bytes.count * 4)
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
        var costs: [String: Int] = [:]
    }
    private let state = Mutex(State())

    /// The key of the operation a request names (nil: the document's only one).
    static func key(_ operationName: String?) -> String { operationName.map { "=" + $0 } ?? "" }

    func withinLimits(_ key: String) -> Bool { state.withLock { $0.withinLimits.contains(key) } }
    func passedLimits(_ key: String) { state.withLock { _ = $0.withinLimits.insert(key) } }
    func cost(_ key: String) -> Int? { state.withLock { $0.costs[key] } }
    func estimated(_ key: String, _ cost: Int) { state.withLock { $0.costs[key] = cost } }
}
