import Tracing

/// A database driver's client span (a statement, a command) — only within a trace: work under
/// a request's span is its child; background work (pollers, listeners, reloads) started with no
/// span around it records none, rather than one single-span trace per statement.
@inlinable
public func driverSpan<T>(_ name: @autoclosure () -> String, _ body: (any Span) async throws -> T) async rethrows -> T {
    guard ServiceContext.current != nil else { return try await body(NoOpTracer.NoOpSpan(context: .topLevel)) }
    return try await withSpan(name(), ofKind: .client) { span in try await body(span) }
}
