import Foundation
import PackagePlugin

/// Generates the Gateway's registry of in-package subgraphs from the folders of `subgraphs/`.
@main
struct SubgraphRegistry: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let folder = context.package.directoryURL.appending(path: "subgraphs")
        let output = context.pluginWorkDirectoryURL.appending(path: "SubgraphRegistry.swift")
        return [.buildCommand(
            displayName: "Registering the subgraphs in subgraphs/",
            executable: try context.tool(named: "SubgraphRegistryGenerator").url,
            arguments: [folder.path, output.path],
            inputFiles: [folder],
            outputFiles: [output])]
    }
}
