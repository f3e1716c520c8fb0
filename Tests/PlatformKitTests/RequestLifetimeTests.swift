import DataLoader
import Foundation
import PlatformKit
import Postgres
import Testing

@Suite("A platform request's lifetime")
struct RequestLifetimeTests {
    /// Loaders' batch functions capture their context, which holds the loaders: without
    /// `finish()` every request's loaders (and all they cached) stayed in memory.
    @Test func finishReleasesTheRequestsLoaders() {
        let pool = PostgresPool(configuration: .init(url: "postgres://nobody@127.0.0.1:1/none", minConnections: 0, maxConnections: 1))
        defer { pool.close() }
        weak var weakLoader: DataLoader<Int, Int>?
        do {
            let ctx = PlatformContext(pool: pool, redis: nil, directory: TenantDirectory(pool: pool), headers: [])
            let loader: DataLoader<Int, Int> = ctx.loader("numbers") { keys in
                _ = ctx // what real batch functions do: query through the context
                return Dictionary(uniqueKeysWithValues: keys.map { ($0, $0) })
            }
            weakLoader = loader
            #expect(weakLoader != nil)
            ctx.finish()
        }
        #expect(weakLoader == nil)
    }
}
