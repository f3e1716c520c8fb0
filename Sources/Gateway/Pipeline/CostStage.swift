import GraphQLCore
import OrderedCollections
import QueryLimits

/// Stage: demand control. The operation's cost is estimated before planning or any subgraph
/// call and refused over the ceiling (the configured one or the tenant's quota, the lower);
/// when reporting, the estimate and the actual cost go into `extensions.cost`.
struct CostStage: Sendable {
    let settings: RequestPipeline.CostSettings
    /// What each field's `@requires` fetches for it (`Type.field`), costed with the field.
    var requirements: [String: [SelectionSet]] = [:]

    /// A request's estimate, its ceiling, and the variables the actual cost is counted with.
    struct Estimate: Sendable {
        var estimated: Int?
        var ceiling: Int?
        var variables: OrderedDictionary<String, JSON> = [:]
    }

    /// The estimate (nil when neither a ceiling nor reporting asks for one) and the ceiling.
    /// `known`: the estimate made for an earlier request (an operation without variables).
    func estimate(_ operation: OperationDefinition, _ document: Document, schema: Schema, variables: OrderedDictionary<String, JSON>,
                  context: RequestContext, known: Int? = nil) throws(PipelineError) -> Estimate {
        let ceiling = [settings.maxCost, context.tenantMaxCost].compactMap { $0 }.min()
        guard ceiling != nil || settings.report else { return Estimate(estimated: nil, ceiling: ceiling) }
        let estimated: Int
        if let known {
            estimated = known
        } else {
            do {
                // Measuring only, nothing is refused: a missing slicing argument included.
                estimated = try CostAnalyzer(schema: schema, defaultListSize: settings.defaultListSize, requirements: requirements,
                                             requireSlicing: !settings.measureOnly)
                    .estimate(operation, fragments: Self.fragments(document), variables: variables)
            } catch {
                throw PipelineError(.limit, errors: [error.error])
            }
        }
        if let ceiling, estimated > ceiling, !settings.measureOnly {
            throw PipelineError(.limit, errors: [GraphQLError(estimated == Int.max ? "The operation's estimated cost is too large to count; it exceeds the limit of \(ceiling)."
                                                                  : "The operation's estimated cost \(estimated) exceeds the limit of \(ceiling).",
                                                              code: "COST_ESTIMATED_TOO_EXPENSIVE",
                                                              extensions: ["cost": ["estimated": .int(estimated), "max": .int(ceiling)]])])
        }
        return Estimate(estimated: estimated, ceiling: ceiling, variables: settings.report ? variables : [:])
    }

    /// `extensions.cost` on a result, when reporting.
    func report(_ result: inout ExecutionResult, _ operation: OperationDefinition, _ document: Document, schema: Schema,
                _ cost: Estimate) {
        guard settings.report, let estimated = cost.estimated else { return }
        var c: OrderedDictionary<String, JSON> = ["estimated": .int(estimated)]
        if let data = result.data {
            c["actual"] = .int(CostAnalyzer(schema: schema, defaultListSize: settings.defaultListSize)
                .actual(operation, fragments: Self.fragments(document), data: data, variables: cost.variables))
        }
        if let ceiling = cost.ceiling { c["max"] = .int(ceiling) }
        result.extensions = (result.extensions ?? [:]).merging(["cost": .object(c)]) { _, b in b }
    }

    static func fragments(_ document: Document) -> [String: FragmentDefinition] {
        var fragments: [String: FragmentDefinition] = [:]
        for f in document.fragments where fragments[f.name.value] == nil { fragments[f.name.value] = f }
        return fragments
    }
}
