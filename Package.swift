// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Switchyard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchyard", targets: ["switchyard"]),
        .library(name: "GraphQLCore", targets: ["GraphQLCore"]),
        .library(name: "DataLoader", targets: ["DataLoader"]),
        .library(name: "Federation", targets: ["Federation"]),
        .library(name: "Gateway", targets: ["Gateway"]),
        .library(name: "BenchSubgraphs", targets: ["BenchSubgraphs"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
    ],
    targets: [
        // System libraries: only Postgres imports CLibPQ, only Redis imports CHiredis.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq",
                       providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis",
                       providers: [.apt(["libhiredis-dev"])]),

        // The GraphQL engine and DataLoader import nothing of ours.
        .target(name: "GraphQLCore",
                dependencies: [.product(name: "OrderedCollections", package: "swift-collections")]),
        .target(name: "DataLoader"),
        .target(name: "QueryLimits", dependencies: ["GraphQLCore"]),
        .target(name: "SubgraphKit", dependencies: [
            "GraphQLCore", "DataLoader", .product(name: "OrderedCollections", package: "swift-collections"),
        ]),
        .target(name: "BenchSubgraphs", dependencies: [
            "SubgraphKit", "GraphQLCore", .product(name: "OrderedCollections", package: "swift-collections"),
        ]),
        // The five in-package subgraphs (subgraphs/<name>), on SubgraphKit, Postgres and Redis;
        // PlatformKit is what they share (tenant scoping, per-request loaders), not each other.
        .target(name: "PlatformKit", dependencies: ["SubgraphKit", "GraphQLCore", "DataLoader", "Postgres", "Redis"],
                path: "subgraphs/platformkit"),
        .target(name: "Tenants", dependencies: ["PlatformKit", "SubgraphKit", "GraphQLCore", "Postgres"], path: "subgraphs/tenants"),
        .target(name: "Agents", dependencies: ["PlatformKit", "SubgraphKit", "GraphQLCore", "DataLoader", "Postgres"], path: "subgraphs/agents"),
        .target(name: "Events", dependencies: ["PlatformKit", "SubgraphKit", "GraphQLCore", "DataLoader", "Postgres",
                                                .product(name: "OrderedCollections", package: "swift-collections")], path: "subgraphs/events"),
        .target(name: "Projections", dependencies: ["PlatformKit", "SubgraphKit", "GraphQLCore", "Postgres",
                                                     .product(name: "Logging", package: "swift-log")], path: "subgraphs/projections"),
        .target(name: "DataProducts", dependencies: ["PlatformKit", "SubgraphKit", "GraphQLCore", "DataLoader", "Postgres", "Redis",
                                                      .product(name: "OrderedCollections", package: "swift-collections")], path: "subgraphs/dataproducts"),
        .target(name: "Federation", dependencies: [
            "GraphQLCore", .product(name: "OrderedCollections", package: "swift-collections"),
        ]),

        .target(name: "Postgres", dependencies: ["CLibPQ", .product(name: "Logging", package: "swift-log")]),
        .target(name: "Redis", dependencies: ["CHiredis", .product(name: "Crypto", package: "swift-crypto")]),

        .target(name: "Gateway", dependencies: [
            "GraphQLCore", "DataLoader", "Federation", "SubgraphKit", "BenchSubgraphs", "Postgres", "Redis", "QueryLimits",
            "PlatformKit", "Tenants", "Agents", "Events", "Projections", "DataProducts",
            .product(name: "OrderedCollections", package: "swift-collections"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "CompressNIO", package: "compress-nio"),
        ]),
        .executableTarget(name: "switchyard", dependencies: [
            "Gateway", "Postgres", "Federation", "GraphQLCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .testTarget(name: "GraphQLCoreTests", dependencies: ["GraphQLCore"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "QueryLimitsTests", dependencies: ["QueryLimits", "GraphQLCore"]),
        .testTarget(name: "FederationTests", dependencies: ["Federation", "GraphQLCore", "BenchSubgraphs"], exclude: ["Fixtures"]),
        .testTarget(name: "DataLoaderTests", dependencies: ["DataLoader", "GraphQLCore"]),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"]),
        .testTarget(name: "RedisTests", dependencies: ["Redis", "TestSupport"]),
        .testTarget(name: "GatewayTests", dependencies: [
            "Gateway", "GraphQLCore", "Federation", "SubgraphKit", "BenchSubgraphs", "TestSupport",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "CompressNIO", package: "compress-nio"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
