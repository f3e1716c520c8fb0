import DataLoader
import GraphQLCore
import Testing

/// Feeds the executor's resolver work to the scheduler (PlatformKit does the same for the subgraphs).
struct SchedulerObserver: ExecutionObserver {
    let scheduler: IdleBatchScheduler
    func asyncResolverStarted() { scheduler.workStarted() }
    func asyncResolverFinished() { scheduler.workFinished() }
}

struct Item: Sendable { let id: Int }
struct Detail: Sendable { let id: Int; let label: String }

struct BatchContext: Sendable {
    let details: DataLoader<Int, Detail>
    let owners: DataLoader<Int, String>
}

@Suite("DataLoader with the executor")
struct ExecutorBatchingTests {
    @Test func thousandObjectsLoadOncePerLevel() async throws {
        let schema = try Schema(sdl: """
            type Query { items: [Item!]! }
            type Item { id: Int! detail: Detail }
            type Detail { label: String! owner: String }
            """)
        let detailCalls = Calls(), ownerCalls = Calls()
        let scheduler = IdleBatchScheduler()
        let context = BatchContext(
            details: DataLoader(scheduler: scheduler) { ids in
                detailCalls.record(ids)
                try await Task.sleep(for: .milliseconds(5)) // a real round trip
                return Dictionary(uniqueKeysWithValues: ids.map { ($0, Detail(id: $0, label: "d\($0)")) })
            },
            owners: DataLoader(scheduler: scheduler) { ids in
                ownerCalls.record(ids)
                return Dictionary(uniqueKeysWithValues: ids.filter { $0 % 2 == 0 }.map { ($0, "owner\($0 % 7)") })
            })
        let detail = ObjectResolvers<BatchContext, Detail>("Detail")
            .field("label") { d, _, _, _ in .leaf(.string(d.label)) }
            .asyncField("owner") { d, _, ctx, _ in try await ctx.owners.load(d.id).map { .leaf(.string($0)) } ?? .null }
        let item = ObjectResolvers<BatchContext, Item>("Item")
            .field("id") { i, _, _, _ in .leaf(.int(i.id)) }
            .asyncField("detail") { i, _, ctx, _ in try await ctx.details.load(i.id).map { .object($0, detail) } ?? .null }
        let query = ObjectResolvers<BatchContext, Void>("Query")
            .field("items") { _, _, _, _ in .list((0..<1_000).map { .object(Item(id: $0), item) }) }
        let exec = ExecutableSchema<BatchContext>(schema: schema).root(.query, (), query)
        let result = await Executor.execute(exec, request: ExecutionRequest(document: try Parser.parse("{ items { id detail { label owner } } }")),
                                            context: context, observer: SchedulerObserver(scheduler: scheduler))
        #expect(result.errors.isEmpty)
        let items = try #require(result.data?["items"]?.arrayValue)
        #expect(items.count == 1_000)
        #expect(items[2].text == #"{"id":2,"detail":{"label":"d2","owner":"owner2"}}"#)
        #expect(items[3].text == #"{"id":3,"detail":{"label":"d3","owner":null}}"#)
        #expect(detailCalls.all.count == 1, "level 1 batched once, not \(detailCalls.all.count) times")
        #expect(ownerCalls.all.count == 1, "level 2 batched once, not \(ownerCalls.all.count) times")
        #expect(detailCalls.all.first?.count == 1_000)
    }
}

