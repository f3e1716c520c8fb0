import GraphQLCore
import OrderedCollections
import Synchronization

/// Stage: the document. Parsed within the parser's bounds (tokens, depth), or taken from the
/// cache of documents that already passed validation against this pipeline's schema.
struct DocumentStage: Sendable {
    let parserOptions: ParserOptions
    let cache = DocumentCache(capacity: 1_000)

    struct Parsed {
        let document: Document
        let source: Source
        /// It passed validation before (it came from the cache).
        let validated: Bool
    }

    func document(_ request: GraphQLRequest) throws(PipelineError) -> Parsed {
        guard let query = request.query, !query.isEmpty else {
            throw PipelineError(.invalidRequest, "A GraphQL request must include a \"query\" string.")
        }
        if let cached = cache.get(query) { return Parsed(document: cached.document, source: cached.source, validated: true) }
        let source = Source(query)
        do {
            return Parsed(document: try Parser.parse(source, options: parserOptions), source: source, validated: false)
        } catch let e as GraphQLError {
            throw PipelineError(.parse, errors: [e])
        } catch {
            throw PipelineError(.parse, "\(error)")
        }
    }

    /// Keeps a document that passed validation.
    func remember(_ parsed: Parsed) {
        cache.put(String(decoding: parsed.source.bytes, as: UTF8.self), CachedDocument(document: parsed.document, source: parsed.source))
    }
}

struct CachedDocument: Sendable {
    let document: Document
    let source: Source
}

/// A bounded least-recently-used cache of documents that parsed and validated.
final class DocumentCache: Sendable {
    private let state = Mutex(OrderedDictionary<String, CachedDocument>())
    let capacity: Int
    init(capacity: Int) { self.capacity = capacity }

    func get(_ text: String) -> CachedDocument? {
        state.withLock { d in
            guard let v = d.removeValue(forKey: text) else { return nil }
            d[text] = v
            return v
        }
    }

    func put(_ text: String, _ doc: CachedDocument) {
        state.withLock { d in
            d[text] = doc
            if d.count > capacity { d.removeFirst(d.count - capacity) }
        }
    }
}
