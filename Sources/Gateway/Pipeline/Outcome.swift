import GraphQLCore

/// What one request yields: its status and headers, then its payloads in order — one for a
/// query or mutation, one per event for a subscription. The HTTP layer writes each payload as
/// it comes (as the body, or framed as Server-Sent Events or multipart parts); a stream is not
/// bound by the request timeout, only the work before its first payload is.
public struct Outcome: Sendable {
    public var status: Int
    /// Extra response headers (e.g. `Allow` with 405).
    public var headers: [(String, String)] = []
    public var payloads: Payloads
    /// What the operation was and how it ended (for metrics and the access log).
    public var report = OperationReport()

    /// One payload.
    public init(status: Int, body: [UInt8], headers: [(String, String)] = []) {
        self.status = status
        self.headers = headers
        self.payloads = Payloads(one: body)
    }

    /// A stream of payloads (status 200).
    public init(stream: AsyncStream<[UInt8]>) {
        self.status = 200
        self.payloads = Payloads(stream: stream)
    }

    /// A request error (or any result) as the one payload.
    init(status: Int, _ result: ExecutionResult) {
        self.init(status: status, body: result.jsonBytes)
    }

    /// The payload of a one-payload outcome (nil for a stream).
    public var body: [UInt8]? { payloads.one }
}

/// The payloads of an outcome, in order: an `AsyncSequence` of serialised GraphQL responses.
public struct Payloads: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    /// The single payload, when there is exactly one (known without waiting).
    public let one: [UInt8]?
    let stream: AsyncStream<[UInt8]>?

    init(one: [UInt8]) {
        self.one = one
        self.stream = nil
    }

    init(stream: AsyncStream<[UInt8]>) {
        self.one = nil
        self.stream = stream
    }

    public var isStream: Bool { stream != nil }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var one: [UInt8]?
        var stream: AsyncStream<[UInt8]>.AsyncIterator?
        public mutating func next() async -> [UInt8]? {
            if let o = one { one = nil; return o }
            return await stream?.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(one: one, stream: stream?.makeAsyncIterator()) }
}
