/// Inputs shared by both engines.
enum Workloads {
    static let introspectionQuery = """
    query IntrospectionQuery {
      __schema {
        queryType { name }
        mutationType { name }
        subscriptionType { name }
        types { ...FullType }
        directives { name description locations args { ...InputValue } }
      }
    }
    fragment FullType on __Type {
      kind name description
      fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
      inputFields { ...InputValue }
      interfaces { ...TypeRef }
      enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
      possibleTypes { ...TypeRef }
    }
    fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
    fragment TypeRef on __Type {
      kind name
      ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
    }
    """

    /// A schema to validate against (a small storefront).
    static let schemaSDL = """
    type Query { user(id: ID!): User users(first: Int = 10, after: String): [User!]! product(upc: String!): Product search(text: String!, kind: Kind): [SearchResult!]! }
    interface Node { id: ID! }
    type User implements Node { id: ID! name: String username: String email: String reviews(first: Int): [Review!]! friends(first: Int): [User!]! }
    type Product implements Node { id: ID! upc: String! name: String price: Int weight: Int reviews: [Review!]! }
    type Review implements Node { id: ID! body: String rating: Int author: User product: Product }
    union SearchResult = User | Product | Review
    enum Kind { USER PRODUCT REVIEW }
    type Mutation { review(input: ReviewInput!): Review }
    input ReviewInput { upc: String!, body: String!, rating: Int = 5 }
    """

    /// A ~100 KB document of operations and fragments with variables, arguments, aliases and directives.
    static let largeDocument: String = {
        var out = ""
        var i = 0
        while out.utf8.count < 100_000 {
            out += """
            query Operation\(i)($id\(i): ID!, $first: Int = 10, $withEmail: Boolean = false, $text: String = "term \(i)") {
              user(id: $id\(i)) {
                ...UserFields\(i)
                alias\(i): friends(first: $first) @include(if: $withEmail) { id name email @skip(if: false) }
                reviews(first: 5) { id body rating product { upc name price } }
              }
              search(text: $text, kind: PRODUCT) { ... on Product { upc name } ... on User { username } }
            }
            fragment UserFields\(i) on User { id name username email friends(first: 3) { id name } }

            """
            i += 1
        }
        return out
    }()
}
