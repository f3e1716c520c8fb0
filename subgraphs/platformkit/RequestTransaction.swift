import DataLoader
import Foundation
import GraphQLCore
import Postgres
import Synchronization

/// One read-only transaction, on one connection and one snapshot, for every in-process subgraph
/// request of one GraphQL query: the gateway runs the query's plan inside `run`, and each
/// platform subgraph's reads go to the same transaction (`BEGIN … REPEATABLE READ, READ ONLY`,
/// the tenant set once, one `COMMIT` at the end) instead of one per subgraph request. Statements
/// of subgraph requests that run in parallel queue on the connection in order.
///
/// ```swift
/// let result = await RequestTransaction.run { await plan.execute() }
/// ```
///
/// The request's statements go in as few round trips as its plan allows: the in-process fetches
/// and their resolvers count as the request's running work (`gate`, an `IdleBatchScheduler`
/// shared by every platform subgraph request of the query, also dispatching their loaders), and
/// the connection holds each statement until all of that work waits — one round trip per level
/// of the plan instead of one per fetch.
public final class RequestTransaction: Sendable {
    @TaskLocal public static var current: RequestTransaction?

    /// The request's running work: loaders dispatch and statements go when none runs.
    public let gate = IdleBatchScheduler()

    private struct Opened {
        let pool: PostgresPool
        let tenant: UUID?
        let connection: Task<PostgresConnection, any Error>
    }
    private let opened = Mutex<Opened?>(nil)
    /// Ended (committed, its connection given back): a subgraph request that reads after it
    /// reads in a transaction of its own.
    private let ended = Atomic<Bool>(false)
    /// A statement failed in it: PostgreSQL aborted the transaction, so later subgraph requests
    /// read in transactions of their own.
    private let failed = Atomic<Bool>(false)
    /// What its statements may read in all (`max_read_bytes`), if bounded.
    let readBudget: ReadBudget?

    func markFailed() { failed.store(true, ordering: .releasing) }

    init(readLimit: Int? = nil) { readBudget = readLimit.map(ReadBudget.init(limit:)) }

    /// Runs `body` with a request transaction in place, then ends it. `readLimit`: the most
    /// bytes its statements' results may hold in all (a result past it fails its statement).
    public static func run<T: Sendable>(readLimit: Int? = nil, _ body: () async -> T) async -> T {
        let transaction = RequestTransaction(readLimit: readLimit)
        let result = await $current.withValue(transaction) {
            await RequestWork.$observer.withValue(RequestWorkObserver(gate: transaction.gate, transaction: transaction)) { await body() }
        }
        await transaction.finish()
        return result
    }

    /// The transaction's connection, opened by the first subgraph request that reads (on its
    /// pool, for its tenant); nil when a request asks for another pool or tenant (it then reads
    /// in a transaction of its own).
    func connection(_ pool: PostgresPool, tenant: UUID?) async throws -> PostgresConnection? {
        guard !failed.load(ordering: .acquiring) else { return nil }
        let task: Task<PostgresConnection, any Error>? = opened.withLock { o in
            if ended.load(ordering: .acquiring) { return nil }
            if let o { return o.pool === pool && o.tenant == tenant ? o.connection : nil }
            let task = Task<PostgresConnection, any Error> {
                let c = try await pool.checkOut()
                // No round trip of their own: BEGIN and the tenant setting go with the first read.
                var opening: [PostgresQuery] = ["BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"]
                if let tenant { opening.append("SELECT set_config('app.tenant_id', \(PostgresUUID.text(tenant)), true)") }
                c.sendWithNext(opening)
                c.holdStatements(self.gate)
                c.readBudget = self.readBudget
                return c
            }
            o = Opened(pool: pool, tenant: tenant, connection: task)
            return task
        }
        guard let task else { return nil }
        return try await task.value
    }

    /// Commits and gives the connection back at once: a read-only transaction has nothing to
    /// lose, so its `COMMIT` is sent without waiting for the answer (read with the connection's
    /// next statement). A transaction that read nothing never began.
    func finish() async {
        // Once: the plan's in-process work may end it before the request does (`inProcessWorkOver`).
        guard let o = opened.withLock({ o -> Opened? in
            guard !ended.exchange(true, ordering: .acquiringAndReleasing) else { return nil }
            return o
        }), let c = try? await o.connection.value else { return }
        c.holdStatements(nil)
        c.readBudget = nil
        if !c.dropUnsent() { try? await c.sendUnanswered(failed.load(ordering: .acquiring) ? "ROLLBACK" : "COMMIT") }
        await o.pool.checkIn(c)
    }
}

/// How a subgraph's executor inside a request transaction reports to the request's `gate`: its
/// resolver tasks are running work, and while it waits for them it releases the count its
/// fetch was started with (`RequestWork`).
struct RequestWorkObserver: ExecutionObserver {
    let gate: IdleBatchScheduler
    let transaction: RequestTransaction
    func asyncResolverStarted() { gate.workStarted() }
    func asyncResolverFinished() { gate.workFinished() }
    func executorWaits() { gate.workFinished() }
    func executorResumes() { gate.workStarted() }
    /// No in-process fetch is left: the transaction ends now, its connection back in the pool
    /// while the plan waits for remote subgraphs.
    func inProcessWorkOver() { Task { await transaction.finish() } }
}

extension IdleBatchScheduler: StatementGate {}
