import Federation
import Foundation
import Gateway
import GraphQLCore
import SubgraphKit
import Testing

/// Three subgraphs written with SubgraphKit and served over HTTP on loopback, composed by the
/// gateway: interfaces and unions across subgraphs, @override, @shareable, @provides,
/// @inaccessible, @interfaceObject, and @skip/@include on fields that need another subgraph.
enum MediaSubgraphs {
    struct Book: Sendable { let id, title, authorID: String }
    struct Movie: Sendable { let id, title, director: String }
    struct Author: Sendable { let id, name: String, born: Int }
    static let books = [Book(id: "b1", title: "Dune", authorID: "a1"), Book(id: "b2", title: "Emma", authorID: "a2")]
    static let movies = [Movie(id: "m1", title: "Alien", director: "Scott")]
    static let authors = [Author(id: "a1", name: "Herbert", born: 1920), Author(id: "a2", name: "Austen", born: 1775)]
    static let reviews: [String: [String]] = ["b1": ["spice", "sand"], "b2": ["wit"], "m1": ["scary"]]

    static func catalog() throws -> Subgraph<RequestContext> {
        let s = try Subgraph<RequestContext>(name: "catalog", sdl: """
            extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@inaccessible"])
            type Query {
              media: [Media!]!
              search(term: String!): [SearchResult!]!
              book(id: ID!): Book
            }
            interface Media @key(fields: "id") { id: ID! title: String! }
            type Book implements Media @key(fields: "id") { id: ID! title: String! author: Author! internalCode: String @inaccessible }
            type Movie implements Media @key(fields: "id") { id: ID! title: String! director: String! }
            type Author @key(fields: "id") { id: ID! name: String! @shareable bio: String }
            union SearchResult = Book | Movie
            """)
        let author = ObjectResolvers<RequestContext, Author>("Author")
            .field("id") { a, _, _, _ in .leaf(.string(a.id)) }
            .field("name") { a, _, _, _ in .leaf(.string(a.name)) }
            .field("bio") { _, _, _, _ in .leaf("from catalog (overridden: never asked)") }
        let book = ObjectResolvers<RequestContext, Book>("Book")
            .field("id") { b, _, _, _ in .leaf(.string(b.id)) }
            .field("title") { b, _, _, _ in .leaf(.string(b.title)) }
            .field("internalCode") { _, _, _, _ in .leaf("secret") }
            .field("author") { b, _, _, _ in .object(authors.first { $0.id == b.authorID }!, author) }
        let movie = ObjectResolvers<RequestContext, Movie>("Movie")
            .field("id") { m, _, _, _ in .leaf(.string(m.id)) }
            .field("title") { m, _, _, _ in .leaf(.string(m.title)) }
            .field("director") { m, _, _, _ in .leaf(.string(m.director)) }
        @Sendable func media(_ id: String) -> Output {
            if let b = books.first(where: { $0.id == id }) { return .object(b, book) }
            if let m = movies.first(where: { $0.id == id }) { return .object(m, movie) }
            return .null
        }
        s.query
            .field("media") { _, _, _, _ in .list((books.map(\.id) + movies.map(\.id)).map(media)) }
            .field("search") { _, a, _, _ in
                let term = a.string("term")!.lowercased()
                return .list((books.filter { $0.title.lowercased().contains(term) }.map(\.id) + movies.filter { $0.title.lowercased().contains(term) }.map(\.id)).map(media))
            }
            .field("book") { _, a, _, _ in books.first { $0.id == a.string("id") }.map { .object($0, book) } ?? .null }
        for type in ["Book", "Movie", "Media"] {
            s.entity(type) { reps, _ in reps.map { media($0["id"]?.stringValue ?? "") } }
        }
        s.entity("Author") { reps, _ in reps.map { r in authors.first { $0.id == r["id"]?.stringValue }.map { .object($0, author) } ?? .null } }
        return s
    }

    static func reviewsSubgraph() throws -> Subgraph<RequestContext> {
        let s = try Subgraph<RequestContext>(name: "reviews", sdl: """
            extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@external", "@provides", "@interfaceObject"])
            type Media @key(fields: "id") @interfaceObject { id: ID! reviews: [Review!]! rating: Int }
            type Review { body: String! author: Author! @provides(fields: "name") }
            type Author @key(fields: "id") { id: ID! name: String! @external }
            type Query { topReviews: [Review!]! topMedia: [Media!]! }
            """)
        let author = ObjectResolvers<RequestContext, Author>("Author")
            .field("id") { a, _, _, _ in .leaf(.string(a.id)) }
            .field("name") { a, _, _, _ in .leaf(.string(a.name + " (provided)")) }
        let review = ObjectResolvers<RequestContext, String>("Review")
            .field("body") { b, _, _, _ in .leaf(.string(b)) }
            .field("author") { _, _, _, _ in .object(authors[0], author) }
        let media = ObjectResolvers<RequestContext, String>("Media")
            .field("id") { id, _, _, _ in .leaf(.string(id)) }
            .field("reviews") { id, _, _, _ in .list((reviews[id] ?? []).map { .object($0, review) }) }
            .field("rating") { id, _, _, _ in .leaf(.int(id.hasPrefix("b") ? 5 : 3)) }
        s.query.field("topReviews") { _, _, _, _ in .list(["spice", "wit"].map { .object($0, review) }) }
            .field("topMedia") { _, _, _, _ in .list(["m1", "b1"].map { .object($0, media) }) }
        s.entity("Media") { reps, _ in reps.map { .object($0["id"]?.stringValue ?? "", media) } }
        s.entity("Author") { reps, _ in reps.map { r in authors.first { $0.id == r["id"]?.stringValue }.map { .object($0, author) } ?? .null } }
        return s
    }

    static func people() throws -> Subgraph<RequestContext> {
        let s = try Subgraph<RequestContext>(name: "people", sdl: """
            extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@override"])
            type Author @key(fields: "id") { id: ID! name: String! @shareable bio: String @override(from: "catalog") born: Int }
            type Query { authors: [Author!]! }
            """)
        let author = ObjectResolvers<RequestContext, Author>("Author")
            .field("id") { a, _, _, _ in .leaf(.string(a.id)) }
            .field("name") { a, _, _, _ in .leaf(.string(a.name)) }
            .field("bio") { a, _, _, _ in .leaf(.string("\(a.name), from people")) }
            .field("born") { a, _, _, _ in .leaf(.int(a.born)) }
        s.query.field("authors") { _, _, _, _ in .list(authors.map { .object($0, author) }) }
        s.entity("Author") { reps, _ in reps.map { r in authors.first { $0.id == r["id"]?.stringValue }.map { .object($0, author) } ?? .null } }
        return s
    }

    static func all() throws -> [String: Subgraph<RequestContext>] {
        ["catalog": try catalog(), "reviews": try reviewsSubgraph(), "people": try people()]
    }
}

/// Serves each subgraph on its own loopback HTTP server for the duration of `body`.
func withHTTPSubgraphs<T: Sendable>(_ subgraphs: [String: Subgraph<RequestContext>], index: Int = 0, urls: [String: String] = [:],
                                    _ body: ([String: String]) async throws -> T) async throws -> T {
    let names = subgraphs.keys.sorted()
    guard index < names.count else { return try await body(urls) }
    let executor = LocalExecutor(executable: subgraphs[names[index]]!.executable) { $0 }
    return try await withGateway(executor: executor) { client in
        var next = urls
        next[names[index]] = client.base + "/graphql"
        return try await withHTTPSubgraphs(subgraphs, index: index + 1, urls: next, body)
    }
}

@Suite("Federation end to end: interfaces, unions, @override, @shareable, @provides, @inaccessible, @interfaceObject")
struct FederationScenarioTests {
    /// The gateway composes the three subgraphs (SDL from `{ _service { sdl } }`) and serves them.
    func withMediaGateway(_ body: (GatewayClient, CountingTransports) async throws -> Void) async throws {
        let subgraphs = try MediaSubgraphs.all()
        try await withHTTPSubgraphs(subgraphs) { urls in
            let schemas = try subgraphs.keys.sorted().map { try SubgraphSchema(name: $0, url: urls[$0]!, sdl: subgraphs[$0]!.sdl) }
            let supergraph = try Supergraph(sdl: try Composer.compose(schemas))
            var transports: [String: any SubgraphTransport] = [:]
            for (name, url) in urls { transports[name] = HTTPTransport(name: name, url: url) }
            let counting = CountingTransports(transports)
            var config = GatewayConfiguration()
            config.exposeQueryPlan = true
            try await withGateway(config, executor: FederatedExecutor(supergraph: supergraph, transports: counting.wrapped)) { client in
                try await body(client, counting)
            }
        }
    }

    @Test func interfaceFieldsAcrossThreeSubgraphs() async throws {
        try await withMediaGateway { client, counting in
            let r = try await client.query("""
                { media { __typename id title
                    ... on Book { author { name born } }
                    ... on Movie { director } } }
                """)
            #expect(r.text == #"{"data":{"media":[{"__typename":"Book","id":"b1","title":"Dune","author":{"name":"Herbert","born":1920}},{"__typename":"Book","id":"b2","title":"Emma","author":{"name":"Austen","born":1775}},{"__typename":"Movie","id":"m1","title":"Alien","director":"Scott"}]}}"#)
            // One catalog fetch, then both authors' `born` in one _entities request.
            #expect(counting.counts == ["catalog": 1, "people": 1])
        }
    }

    @Test func unionMembersAcrossSubgraphs() async throws {
        try await withMediaGateway { client, _ in
            let r = try await client.query("""
                { search(term: "e") { __typename ... on Book { title author { bio } } ... on Movie { title director } } }
                """)
            #expect(r.text == #"{"data":{"search":[{"__typename":"Book","title":"Dune","author":{"bio":"Herbert, from people"}},{"__typename":"Book","title":"Emma","author":{"bio":"Austen, from people"}},{"__typename":"Movie","title":"Alien","director":"Scott"}]}}"#)
        }
    }

    @Test func overrideShareableAndProvidesChooseTheRightSubgraph() async throws {
        try await withMediaGateway { client, counting in
            // @override: bio comes from people although catalog still defines it.
            let bio = try await client.query(#"{ book(id: "b1") { author { bio } } }"#)
            #expect(bio.text == #"{"data":{"book":{"author":{"bio":"Herbert, from people"}}}}"#)
            #expect(counting.counts == ["catalog": 1, "people": 1])
            // @shareable: name is answered by catalog, already being visited; no other fetch.
            let name = try await client.query(#"{ book(id: "b2") { author { name } } }"#)
            #expect(name.text == #"{"data":{"book":{"author":{"name":"Austen"}}}}"#)
            #expect(counting.counts == ["catalog": 2, "people": 1])
            // @provides: reviews provides the author's name; neither people nor catalog is asked.
            let provided = try await client.query("{ topReviews { body author { name } } }")
            #expect(provided.text == #"{"data":{"topReviews":[{"body":"spice","author":{"name":"Herbert (provided)"}},{"body":"wit","author":{"name":"Herbert (provided)"}}]}}"#)
            #expect(counting.counts == ["catalog": 2, "people": 1, "reviews": 1])
        }
    }

    @Test func inaccessibleFieldsAreNotInTheAPI() async throws {
        try await withMediaGateway { client, counting in
            let r = try await client.query(#"{ book(id: "b1") { internalCode } }"#)
            #expect(r.status == 422)
            #expect(r.json?["errors"]?[0]?["message"]?.stringValue?.contains("internalCode") == true)
            #expect(counting.total == 0)
            let fields = try await client.query(#"{ __type(name: "Book") { fields { name } } }"#)
            #expect(fields.text.contains("title"))
            #expect(!fields.text.contains("internalCode"))
        }
    }

    @Test func interfaceObjectFieldsReachEveryImplementation() async throws {
        try await withMediaGateway { client, counting in
            let r = try await client.query("{ media { __typename title reviews { body } rating } }")
            #expect(r.text == #"{"data":{"media":[{"__typename":"Book","title":"Dune","reviews":[{"body":"spice"},{"body":"sand"}],"rating":5},{"__typename":"Book","title":"Emma","reviews":[{"body":"wit"}],"rating":5},{"__typename":"Movie","title":"Alien","reviews":[{"body":"scary"}],"rating":3}]}}"#)
            #expect(counting.counts == ["catalog": 1, "reviews": 1])
            // Starting from the @interfaceObject's subgraph: the real types and their fields come from catalog.
            let top = try await client.query("{ topMedia { __typename title rating ... on Book { author { name } } ... on Movie { director } } }")
            #expect(top.text == #"{"data":{"topMedia":[{"__typename":"Movie","title":"Alien","rating":3,"director":"Scott"},{"__typename":"Book","title":"Dune","rating":5,"author":{"name":"Herbert"}}]}}"#)
            #expect(counting.counts == ["catalog": 2, "reviews": 2])
            // Through a concrete type as well.
            let book = try await client.query(#"{ book(id: "b2") { title reviews { body author { name } } } }"#)
            #expect(book.text == #"{"data":{"book":{"title":"Emma","reviews":[{"body":"wit","author":{"name":"Herbert (provided)"}}]}}}"#)
        }
    }

    @Test func skipAndIncludeOnFieldsFromAnotherSubgraph() async throws {
        try await withMediaGateway { client, counting in
            let q = #"query($full: Boolean!) { book(id: "b1") { title author { born @include(if: $full) bio @include(if: $full) } } }"#
            let without = try await client.query(q, variables: #"{"full":false}"#)
            #expect(without.text == #"{"data":{"book":{"title":"Dune","author":{}}}}"#)
            #expect(counting.counts == ["catalog": 1], "the people fetch sits under a condition that is false")
            let with = try await client.query(q, variables: #"{"full":true}"#)
            #expect(with.text == #"{"data":{"book":{"title":"Dune","author":{"born":1920,"bio":"Herbert, from people"}}}}"#)
            #expect(counting.counts == ["catalog": 2, "people": 1])
            // Different conditions in one fetch are left to the subgraph.
            let mixed = #"query($a: Boolean!, $b: Boolean!) { book(id: "b1") { author { born @include(if: $a) bio @skip(if: $b) } } }"#
            let r = try await client.query(mixed, variables: #"{"a":true,"b":true}"#)
            #expect(r.text == #"{"data":{"book":{"author":{"born":1920}}}}"#)
            // A root field under @skip with a default.
            let root = try await client.query(#"query($hide: Boolean = true) { book(id: "b2") { title } authors @skip(if: $hide) { name } }"#)
            #expect(root.text == #"{"data":{"book":{"title":"Emma"}}}"#)
            #expect(counting.counts == ["catalog": 4, "people": 2])
            // The same plans again with other values of their directive variables: each request is
            // shaped by what its own values include (the plan keeps one shaping program per values).
            let again = try await client.query(q, variables: #"{"full":false}"#)
            #expect(again.text == without.text)
            let other = try await client.query(mixed, variables: #"{"a":false,"b":false}"#)
            #expect(other.text == #"{"data":{"book":{"author":{"bio":"Herbert, from people"}}}}"#)
            let same = try await client.query(mixed, variables: #"{"a":true,"b":true}"#)
            #expect(same.text == r.text)
        }
    }

    @Test func conditionalFragmentsAtTheRootAndIntrospectionInThem() async throws {
        try await withMediaGateway { client, _ in
            let q = #"query($x: Boolean!) { ... @include(if: $x) { book(id: "b1") { title } } ...Q @skip(if: $x) } fragment Q on Query { authors { name } __type(name: "Book") { name } }"#
            let yes = try await client.query(q, variables: #"{"x":true}"#)
            #expect(yes.text == #"{"data":{"book":{"title":"Dune"}}}"#)
            let no = try await client.query(q, variables: #"{"x":false}"#)
            #expect(no.text == #"{"data":{"authors":[{"name":"Herbert"},{"name":"Austen"}],"__type":{"name":"Book"}}}"#)
        }
    }

    @Test func conditionNodesInThePlan() throws {
        let subgraphs = try MediaSubgraphs.all()
        let schemas = try subgraphs.keys.sorted().map { try SubgraphSchema(name: $0, url: "http://\($0)", sdl: subgraphs[$0]!.sdl) }
        let supergraph = try Supergraph(sdl: try Composer.compose(schemas))
        let doc = try Parser.parse(#"query($full: Boolean!) { book(id: "b1") { title author { born @include(if: $full) } } }"#)
        let plan = try QueryPlanner(supergraph: supergraph).plan(doc, operationName: nil)
        #expect(plan.text == """
            QueryPlan {
              Sequence {
                Fetch(service: "catalog") {
                  {book(id:"b1"){title author{__typename id}}}
                },
                Include(if: $full) {
                  Flatten(path: "book.author") {
                    Fetch(service: "people") {
                      {
                        ... on Author { __typename id }
                      } =>
                      query($representations:[_Any!]!,$full:Boolean!){_entities(representations:$representations){...on Author{born@include(if:$full)}}}
                    },
                  },
                },
              },
            }

            """)
    }
}
