import GraphQLCore
import OrderedCollections
import SubgraphKit

/// The four subgraphs of the published federation gateway benchmark (accounts, inventory,
/// products, reviews), written with SubgraphKit on the data its README describes. They serve
/// the benchmark and the end-to-end test that loads Apollo's precomposed supergraph.
public enum BenchSubgraphs {
    public struct Context: Sendable { public init() {} }

    struct User: Sendable { let id: String, name: String, username: String }
    struct Product: Sendable { let upc: String, name: String, price: Int, weight: Int }
    struct Review: Sendable { let id: String, productUPC: String }
    struct UserRef: Sendable { let id: String, username: String }

    static let allUsers: [User] = [
        User(id: "1", name: "Uri Goldshtein", username: "urigo"),
        User(id: "2", name: "Dotan Simha", username: "dotansimha"),
        User(id: "3", name: "Kamil Kisiela", username: "kamilkisiela"),
        User(id: "4", name: "Arda Tanrikulu", username: "ardatan"),
        User(id: "5", name: "Gil Gardosh", username: "gilgardosh"),
        User(id: "6", name: "Laurin Quast", username: "laurin"),
    ]
    static let allProducts: [Product] = [
        Product(upc: "1", name: "Table", price: 899, weight: 100), Product(upc: "2", name: "Couch", price: 1299, weight: 1000),
        Product(upc: "3", name: "Glass", price: 15, weight: 20), Product(upc: "4", name: "Chair", price: 499, weight: 100),
        Product(upc: "5", name: "TV", price: 1299, weight: 1000), Product(upc: "6", name: "Lamp", price: 6999, weight: 300),
        Product(upc: "7", name: "Grill", price: 3999, weight: 2000), Product(upc: "8", name: "Fridge", price: 100000, weight: 6000),
        Product(upc: "9", name: "Sofa", price: 9999, weight: 800),
    ]
    static let inStock: [String: Bool] = ["1": true, "2": false, "3": false, "4": false, "5": true, "6": true, "7": true, "8": false, "9": true]
    static let allReviews: [Review] = (1...11).map { i in
        Review(id: String(i), productUPC: i <= 4 ? "1" : i <= 8 ? "2" : i == 9 ? "3" : "4")
    }

    public static func accounts() throws -> Subgraph<Context> {
        let s = try Subgraph<Context>(name: "accounts", sdl: BenchData.accountsSDL)
        let user = ObjectResolvers<Context, User>("User")
            .field("id") { u, _, _, _ in .leaf(.string(u.id)) }
            .field("name") { u, _, _, _ in .leaf(.string(u.name)) }
            .field("username") { u, _, _, _ in .leaf(.string(u.username)) }
            .field("birthday") { _, _, _, _ in .leaf(1_234_567_890) }
        let byID = Dictionary(uniqueKeysWithValues: allUsers.map { ($0.id, $0) })
        s.query
            .field("me") { _, _, _, _ in .object(allUsers[0], user) }
            .field("user") { _, a, _, _ in byID[a.string("id") ?? ""].map { .object($0, user) } ?? .null }
            .field("users") { _, _, _, _ in .list(allUsers.map { .object($0, user) }) }
        s.entity("User") { reps, _ in reps.map { r in byID[r["id"]?.stringValue ?? ""].map { .object($0, user) } ?? .null } }
        return s
    }

    public static func products() throws -> Subgraph<Context> {
        let s = try Subgraph<Context>(name: "products", sdl: BenchData.productsSDL)
        let product = ObjectResolvers<Context, Product>("Product")
            .field("upc") { p, _, _, _ in .leaf(.string(p.upc)) }
            .field("name") { p, _, _, _ in .leaf(.string(p.name)) }
            .field("price") { p, _, _, _ in .leaf(.int(p.price)) }
            .field("weight") { p, _, _, _ in .leaf(.int(p.weight)) }
        let byUPC = Dictionary(uniqueKeysWithValues: allProducts.map { ($0.upc, $0) })
        s.query.field("topProducts") { _, a, _, _ in .list(allProducts.prefix(a.int("first") ?? 5).map { .object($0, product) }) }
        s.entity("Product") { reps, _ in reps.map { r in byUPC[r["upc"]?.stringValue ?? ""].map { .object($0, product) } ?? .null } }
        return s
    }

    public static func inventory() throws -> Subgraph<Context> {
        let s = try Subgraph<Context>(name: "inventory", sdl: BenchData.inventorySDL)
        let product = ObjectResolvers<Context, OrderedDictionary<String, JSON>>("Product")
            .field("upc") { r, _, _, _ in .leaf(r["upc"] ?? .null) }
            .field("inStock") { r, _, _, _ in inStock[r["upc"]?.stringValue ?? ""].map { .leaf(.bool($0)) } ?? .null }
            .field("shippingEstimate") { _, _, _, _ in .null } // as in the original, which ignores price and weight
        s.entity("Product") { reps, _ in reps.map { .object($0, product) } }
        return s
    }

    public static func reviewsSubgraph() throws -> Subgraph<Context> {
        let s = try Subgraph<Context>(name: "reviews", sdl: BenchData.reviewsSDL)
        let productRef = ObjectResolvers<Context, String>("Product")
        let userRef = ObjectResolvers<Context, UserRef>("User")
        let review = ObjectResolvers<Context, Review>("Review")
            .field("id") { r, _, _, _ in .leaf(.string(r.id)) }
            .field("body") { r, _, _, _ in .leaf(.string(BenchData.reviewBodies[r.id] ?? "")) }
            .field("product") { r, _, _, _ in .object(r.productUPC, productRef) }
            .field("author") { _, _, _, _ in .object(UserRef(id: "1", username: "urigo"), userRef) }
        productRef
            .field("upc") { upc, _, _, _ in .leaf(.string(upc)) }
            .field("reviews") { upc, _, _, _ in .list(allReviews.filter { $0.productUPC == upc }.map { .object($0, review) }) }
        userRef
            .field("id") { u, _, _, _ in .leaf(.string(u.id)) }
            .field("username") { u, _, _, _ in .leaf(.string(u.username)) }
            .field("reviews") { _, _, _, _ in .list(allReviews.prefix(2).map { .object($0, review) }) }
        s.entity("Product") { reps, _ in reps.map { r in r["upc"]?.stringValue.map { .object($0, productRef) } ?? .null } }
        s.entity("User") { reps, _ in reps.map { r in r["id"]?.stringValue.map { .object(UserRef(id: $0, username: "user"), userRef) } ?? .null } }
        return s
    }

    /// A subgraph's SDL as its original exports it (accounts, inventory, products, reviews).
    public static func sdl(_ name: String) -> String? {
        ["accounts": BenchData.accountsSDL, "inventory": BenchData.inventorySDL,
         "products": BenchData.productsSDL, "reviews": BenchData.reviewsSDL][name]
    }

    /// All four by name.
    public static func all() throws -> [String: Subgraph<Context>] {
        ["accounts": try accounts(), "products": try products(), "inventory": try inventory(), "reviews": try reviewsSubgraph()]
    }
}
