import Foundation

// Writes the registry of in-package subgraphs: one module per folder of `subgraphs/` (except
// platformkit), named like its folder with the first letter upper-cased, each defining
// `platformSubgraph`. Run by the SubgraphRegistry build plugin for the Gateway target.
//   SubgraphRegistryGenerator <subgraphs folder> <output file>
let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: SubgraphRegistryGenerator SUBGRAPHS_DIR OUTPUT\n".utf8))
    exit(2)
}
let folders = ((try? FileManager.default.contentsOfDirectory(atPath: arguments[1])) ?? []).filter { name in
    var isDirectory: ObjCBool = false
    return name != "platformkit" && !name.hasPrefix(".")
        && FileManager.default.fileExists(atPath: arguments[1] + "/" + name, isDirectory: &isDirectory) && isDirectory.boolValue
}.sorted()
let modules = folders.map { $0.prefix(1).uppercased() + $0.dropFirst() }
var out = "// Generated from the folders of subgraphs/ by the SubgraphRegistry plugin. Do not edit.\n"
out += "import PlatformKit\n"
for m in modules { out += "import \(m)\n" }
out += "\n/// Every in-package subgraph module, by folder name.\n"
out += "let discoveredSubgraphs: [PlatformSubgraph] = [\n"
for m in modules { out += "    \(m).platformSubgraph,\n" }
out += "]\n"
let url = URL(fileURLWithPath: arguments[2])
if (try? String(contentsOf: url, encoding: .utf8)) != out {
    try out.write(to: url, atomically: true, encoding: .utf8)
}
