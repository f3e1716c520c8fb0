// swift-tools-version:6.0
// Benchmarks live in their own package: release builds, peers side by side in one run.
//   cd Benchmarks && swift run -c release EngineBenchmarks
//   cd Benchmarks && swift run -c release RejectionBenchmarks
import PackageDescription

let package = Package(
    name: "SwitchyardBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Switchyard", path: ".."),
        .package(url: "https://github.com/GraphQLSwift/GraphQL.git", exact: "4.3.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        .executableTarget(name: "EngineBenchmarks", dependencies: [
            .product(name: "GraphQLCore", package: "Switchyard"),
            .product(name: "GraphQL", package: "GraphQL"),
        ]),
        .executableTarget(name: "FederationProfile", dependencies: [
            .product(name: "Gateway", package: "Switchyard"),
            .product(name: "Federation", package: "Switchyard"),
            .product(name: "BenchSubgraphs", package: "Switchyard"),
            .product(name: "GraphQLCore", package: "Switchyard"),
        ]),
        .executableTarget(name: "RejectionBenchmarks", dependencies: [
            .product(name: "Gateway", package: "Switchyard"),
            .product(name: "Federation", package: "Switchyard"),
            .product(name: "BenchSubgraphs", package: "Switchyard"),
            .product(name: "GraphQLCore", package: "Switchyard"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
