import PlatformKit
import SubgraphKit

public let platformSubgraph = PlatformSubgraph(name: "greetings") { sdl, _ in
    let s = try Subgraph<PlatformContext>(name: "greetings", sdl: sdl)
    s.query.field("greeting") { _, args, _, _ in .leaf(.string("hello, \(args.string("name") ?? "")")) }
    return s
}
