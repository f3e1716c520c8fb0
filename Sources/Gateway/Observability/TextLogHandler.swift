#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import Synchronization

/// swift-log output as text lines on standard error, in swift-log's own text layout —
/// `2026-12-03T22:28:39+0000 info switchyard : code=X tenant=acme [Gateway] operation` — written
/// for a line per request (the access log): the line is built as bytes and written with one
/// write(2) (lines from concurrent tasks never interleave), the time is formatted once per second,
/// metadata sorted by key.
///
/// ```swift
/// LoggingSystem.bootstrap { TextLogHandler(label: $0, level: .info) }
/// ```
public struct TextLogHandler: LogHandler {
    public let label: String
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let write: @Sendable ([UInt8]) -> Void

    public init(label: String, level: Logger.Level = .info, metadataProvider: Logger.MetadataProvider? = nil,
                write: @escaping @Sendable ([UInt8]) -> Void = JSONLogHandler.standardError) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?,
                    source: String, file: String, function: String, line: UInt) {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        out += Self.clock.now()
        out.append(UInt8(ascii: " "))
        out += level.rawValue.utf8
        out.append(UInt8(ascii: " "))
        out += label.utf8
        out += " :".utf8
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let explicit { all.merge(explicit) { _, new in new } }
        for (key, value) in all.sorted(by: { $0.key < $1.key }) {
            out.append(UInt8(ascii: " "))
            out += key.utf8
            out.append(UInt8(ascii: "="))
            out += value.description.utf8
        }
        out += " [".utf8
        out += source.utf8
        out += "] ".utf8
        out += message.description.utf8
        out.append(UInt8(ascii: "\n"))
        write(out)
    }

    /// Local time as `%Y-%m-%dT%H:%M:%S%z`, formatted when the second changes.
    static let clock = SecondClock()

    final class SecondClock: Sendable {
        private let last = Mutex<(second: Int, text: [UInt8])>((-1, []))

        func now() -> [UInt8] {
            var t = time(nil)
            if let cached = last.withLock({ $0.second == t ? $0.text : nil }) { return cached }
            var parts = tm()
            localtime_r(&t, &parts)
            var buffer = [Int8](repeating: 0, count: 64)
            let n = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
            let text = buffer[..<n].map { UInt8(bitPattern: $0) }
            last.withLock { $0 = (t, text) }
            return text
        }
    }
}
