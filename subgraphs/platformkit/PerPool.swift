import Postgres
import Synchronization

/// One value per database pool, made on its first use (the event feed, a module's shared
/// state): pools live as long as the process, and tests run several databases in one.
public final class PerPool<Value: AnyObject & Sendable>: Sendable {
    private let values = Mutex<[ObjectIdentifier: Value]>([:])
    private let make: @Sendable (PostgresPool) -> Value

    public init(_ make: @escaping @Sendable (PostgresPool) -> Value) { self.make = make }

    /// The pool's value, made now if it has none.
    public func callAsFunction(_ pool: PostgresPool) -> Value {
        values.withLock { d in
            if let v = d[ObjectIdentifier(pool)] { return v }
            let v = make(pool)
            d[ObjectIdentifier(pool)] = v
            return v
        }
    }

    /// The pool's value, if it has one.
    public func existing(_ pool: PostgresPool) -> Value? { values.withLock { $0[ObjectIdentifier(pool)] } }

    /// Forgets the pool's value (its pool is closing), and returns it.
    public func remove(_ pool: PostgresPool) -> Value? { values.withLock { $0.removeValue(forKey: ObjectIdentifier(pool)) } }
}
