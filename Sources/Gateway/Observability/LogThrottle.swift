import Logging
import Synchronization

/// Log lines a failure repeated per request would flood (a database or Redis that is down): one
/// line per kind of failure at most every `every`, which says how many like it were left out since.
public final class LogThrottle: Sendable {
    private struct Kind { var last: ContinuousClock.Instant; var suppressed: Int }
    private let kinds = Mutex<[String: Kind]>([:])
    let every: Duration
    public init(every: Duration = .seconds(10)) { self.every = every }

    /// Nil when a line of this kind went out less than `every` ago (this one is counted); else the
    /// number of lines of the kind left out since the last.
    public func admit(_ kind: String) -> Int? {
        let now = ContinuousClock.now
        return kinds.withLock { k in
            if var seen = k[kind] {
                if now - seen.last < every {
                    seen.suppressed += 1
                    k[kind] = seen
                    return nil
                }
                k[kind] = Kind(last: now, suppressed: 0)
                return seen.suppressed
            }
            if k.count >= 1_000 { k.removeAll() }   // kinds come from error types and SQL states: few
            k[kind] = Kind(last: now, suppressed: 0)
            return 0
        }
    }

    /// Logs `message` at `level` unless a line of `kind` went out within `every`.
    func log(_ logger: Logger, _ level: Logger.Level, _ message: Logger.Message, kind: String, metadata: @autoclosure () -> Logger.Metadata) {
        guard logger.logLevel <= level, let suppressed = admit(kind) else { return }
        var m = metadata()
        if suppressed > 0 { m["suppressed"] = .stringConvertible(suppressed) }
        logger.log(level: level, message, metadata: m)
    }
}
