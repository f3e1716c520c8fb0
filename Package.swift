// swift-tools-version:6.1
import Foundation
import PackageDescription

/// Every folder of subgraphs/ but platformkit is an in-package subgraph module, named like the
/// folder with its first letter upper-cased (subgraphs/reviews → module Reviews). The gateway
/// depends on all of them and the SubgraphRegistry plugin registers them: adding a subgraph is
/// adding a folder (and one line in gateway.yaml).
let subgraphFolders: [String] = {
    let root = Context.packageDirectory + "/subgraphs"
    let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
    return names.filter { name in
        var isDirectory: ObjCBool = false
        return name != "platformkit" && !name.hasPrefix(".") && FileManager.default.fileExists(atPath: root + "/" + name, isDirectory: &isDirectory)
            && isDirectory.boolValue
    }.sorted()
}()
let subgraphModules = subgraphFolders.map { $0.prefix(1).uppercased() + $0.dropFirst() }

/// The engine's release builds skip run-time exclusivity checks (about 5 % of the gateway's CPU
/// on the federation workload: swift_beginAccess and its thread-local set); debug builds, which
/// the tests run, keep them, so an overlapping access still fails there.
let engineSettings: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

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
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket.git", from: "1.6.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.22.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // Traces over OTLP/HTTP only (the gRPC exporter and its dependencies stay out of the build).
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // System libraries: only Postgres imports CLibPQ, only Redis imports CHiredis; both import CLibSSL
        // (libpq's TLS and ours share one OpenSSL).
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq",
                       providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis",
                       providers: [.apt(["libhiredis-dev"])]),
        // Debian's hiredis has no TLS: Redis's TLS is OpenSSL around our own socket.
        .systemLibrary(name: "CLibSSL", pkgConfig: "openssl",
                       providers: [.apt(["libssl-dev"])]),

        // The GraphQL engine and DataLoader import nothing of ours.
        .target(name: "GraphQLCore",
                dependencies: [.product(name: "OrderedCollections", package: "swift-collections")],
                swiftSettings: engineSettings),
        .target(name: "DataLoader", swiftSettings: engineSettings),
        .target(name: "QueryLimits", dependencies: ["GraphQLCore"]),
        .target(name: "SubgraphKit", dependencies: [
            "GraphQLCore", "DataLoader", .product(name: "OrderedCollections", package: "swift-collections"),
        ], swiftSettings: engineSettings),
        .target(name: "BenchSubgraphs", dependencies: [
            "SubgraphKit", "GraphQLCore", .product(name: "OrderedCollections", package: "swift-collections"),
        ]),
        // The five in-package subgraphs (subgraphs/<name>), on SubgraphKit, Postgres and Redis;
        // PlatformKit is what they share (tenant scoping, per-request loaders), not each other.
        .target(name: "PlatformKit", dependencies: ["SubgraphKit", "GraphQLCore", "DataLoader", "Postgres", "Redis",
                                                   .product(name: "CoreMetrics", package: "swift-metrics"),
                                                   .product(name: "Tracing", package: "swift-distributed-tracing")],
                path: "subgraphs/platformkit"),
        .target(name: "Federation", dependencies: [
            "GraphQLCore", .product(name: "OrderedCollections", package: "swift-collections"),
        ], swiftSettings: engineSettings),

        // One epoll thread for the database drivers' sockets (libpq's and Redis's).
        .systemLibrary(name: "CEpoll"),
        .target(name: "IOReadiness", dependencies: ["CEpoll", .product(name: "Tracing", package: "swift-distributed-tracing")]),
        .target(name: "Postgres", dependencies: ["CLibPQ", "CLibSSL", "IOReadiness", .product(name: "Logging", package: "swift-log"),
                                                .product(name: "CoreMetrics", package: "swift-metrics"),
                                                .product(name: "Tracing", package: "swift-distributed-tracing")]),
        .target(name: "Redis", dependencies: ["CHiredis", "CLibSSL", "IOReadiness", .product(name: "Crypto", package: "swift-crypto"),
                                              .product(name: "CoreMetrics", package: "swift-metrics"),
                                              .product(name: "Tracing", package: "swift-distributed-tracing")]),

        .target(name: "Gateway", dependencies: [
            "GraphQLCore", "DataLoader", "Federation", "SubgraphKit", "BenchSubgraphs", "Postgres", "Redis", "QueryLimits",
            "PlatformKit",
            .product(name: "OrderedCollections", package: "swift-collections"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            .product(name: "WSCore", package: "swift-websocket"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "CompressNIO", package: "compress-nio"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Tracing", package: "swift-distributed-tracing"),
            .product(name: "OTel", package: "swift-otel"),
        ] + subgraphModules.map { .target(name: $0) }, plugins: ["SubgraphRegistry"]),
        .executableTarget(name: "SubgraphRegistryGenerator"),
        .plugin(name: "SubgraphRegistry", capability: .buildTool(), dependencies: ["SubgraphRegistryGenerator"]),
        // jemalloc for the executable's whole process (libjemalloc-dev; see allocator.c).
        .target(name: "SwitchyardAllocator", linkerSettings: [.linkedLibrary("jemalloc")]),
        .executableTarget(name: "switchyard", dependencies: [
            "Gateway", "Postgres", "Federation", "GraphQLCore", "SwitchyardAllocator",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], linkerSettings: [
            // Release builds load less at start (BENCHMARKS.md, session 22): the executable exports
            // only what its shared libraries use (the static stdlib's link arguments export every
            // symbol: 60,000 names the loader hashes through for each library's relocations),
            // and its 156,000 relative relocations are packed (DT_RELR, glibc 2.36+; lld, which
            // the toolchain ships, as gold cannot pack them).
            .unsafeFlags(["-use-ld=lld", "-Xlinker", "--no-export-dynamic", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"],
                         .when(platforms: [.linux], configuration: .release)),
        ]),

        .testTarget(name: "GraphQLCoreTests", dependencies: ["GraphQLCore", "TestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "QueryLimitsTests", dependencies: ["QueryLimits", "GraphQLCore"]),
        .testTarget(name: "FederationTests", dependencies: ["Federation", "GraphQLCore", "BenchSubgraphs", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "PlatformKitTests", dependencies: ["PlatformKit", "DataLoader", "Postgres", "TestSupport"]),
        .testTarget(name: "DataLoaderTests", dependencies: ["DataLoader", "GraphQLCore"]),
        .target(name: "TestSupport", dependencies: [
            "GraphQLCore", .product(name: "OrderedCollections", package: "swift-collections"),
        ], path: "Tests/TestSupport"),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"]),
        .testTarget(name: "RedisTests", dependencies: ["Redis", "TestSupport", "CLibSSL"]),
        .testTarget(name: "GatewayTests", dependencies: [
            "Gateway", "GraphQLCore", "Federation", "SubgraphKit", "BenchSubgraphs", "TestSupport",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "CompressNIO", package: "compress-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)

// One target per subgraph folder, each with everything a platform subgraph may use.
package.targets += zip(subgraphFolders, subgraphModules).map { folder, module in
    .target(name: module, dependencies: [
        "PlatformKit", "SubgraphKit", "GraphQLCore", "DataLoader", "Postgres", "Redis",
        .product(name: "OrderedCollections", package: "swift-collections"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "CoreMetrics", package: "swift-metrics"),
    ], path: "subgraphs/\(folder)",
    // Its SDL and migrations, when it has them, are not Swift sources.
    exclude: ["migrations", "\(folder).graphql"].filter { FileManager.default.fileExists(atPath: Context.packageDirectory + "/subgraphs/\(folder)/\($0)") })
}
