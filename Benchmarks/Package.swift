// swift-tools-version:6.0
// Benchmarks live in their own package: release builds, peers side by side in one run.
//   cd Benchmarks && swift run -c release EngineBenchmarks
import PackageDescription

let package = Package(
    name: "SwitchyardBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Switchyard", path: ".."),
        .package(url: "https://github.com/GraphQLSwift/GraphQL.git", exact: "4.3.0"),
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
    ],
    swiftLanguageModes: [.v6]
)
