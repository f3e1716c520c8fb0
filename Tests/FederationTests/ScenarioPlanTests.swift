import Federation
import Foundation
import GraphQLCore
import Testing
import TestSupport

/// The plan of every operation of the federation scenarios, composed from their subgraph SDL by
/// Switchyard, compared with the scenario's `plans.txt` (a missing snapshot fails;
/// `UPDATE_SNAPSHOTS=1` writes it).
@Suite("Federation scenario plans")
struct ScenarioPlanTests {
    @Test(arguments: FederationScenario.all())
    func plansMatchTheSnapshot(_ name: String) throws {
        let scenario = try FederationScenario(name)
        let sdl = try Composer.compose(try scenario.subgraphs.map { s in
            try SubgraphSchema(name: s, url: "http://\(s).invalid/graphql", sdl: try scenario.sdl(s))
        })
        let planner = QueryPlanner(supergraph: try Supergraph(sdl: sdl))
        var text = ""
        for test in scenario.tests {
            text += "# \(test.name)\n"
            let doc = try Parser.parse(test.query)
            do {
                text += try planner.plan(doc, operationName: nil).text
            } catch {
                text += "error: \(error)\n"
            }
            text += "\n"
        }
        let url = scenario.folder.appendingPathComponent("plans.txt")
        if ProcessInfo.processInfo.environment["UPDATE_SNAPSHOTS"] == "1" { try text.write(to: url, atomically: true, encoding: .utf8) }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("\(name)/plans.txt is missing (UPDATE_SNAPSHOTS=1 writes it)")
            return
        }
        #expect(text == expected, "\(name)/plans.txt differs (UPDATE_SNAPSHOTS=1 to accept)")
    }
}
