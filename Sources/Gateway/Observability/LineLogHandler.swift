#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import GraphQLCore
import Logging
import OrderedCollections
import PlatformKit
import Synchronization

/// swift-log output, one line per event on standard error, written with one write(2) (lines from
/// concurrent tasks never interleave) — an access line per request goes through here.
/// - `text`: swift-log's own text layout, `2026-12-03T22:28:39+0000 info switchyard : code=X
///   tenant=acme [Gateway] operation` (local time, formatted once per second; metadata sorted).
/// - `json`: one object per line: `time` (ISO 8601 UTC), `level`, `label`, `message`, then the
///   metadata (the access log's `tenant`, `operation`, `status`, … and, when tracing, `trace_id` /
///   `span_id`) sorted by key.
///
/// ```swift
/// LoggingSystem.bootstrap { LineLogHandler(label: $0, format: .json, level: .info) }
/// ```
public struct LineLogHandler: LogHandler {
    public enum Format: Sendable { case text, json }

    public let label: String
    public let format: Format
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let write: @Sendable ([UInt8]) -> Void

    public init(label: String, format: Format, level: Logger.Level = .info, metadataProvider: Logger.MetadataProvider? = nil,
                write: @escaping @Sendable ([UInt8]) -> Void = LineLogHandler.standardError) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.write = write
    }

    public static let standardError: @Sendable ([UInt8]) -> Void = { bytes in
        bytes.withUnsafeBufferPointer { p in _ = Foundation.write(2, p.baseAddress, p.count) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?,
                    source: String, file: String, function: String, line: UInt) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let explicit {
            if all.isEmpty { all = explicit } else { all.merge(explicit) { _, new in new } }
        }
        let sorted = all.sorted(by: { $0.key < $1.key })
        switch format {
        case .json:
            var object: OrderedDictionary<String, JSON> = [
                "time": .string(Date().iso8601), "level": .string(level.rawValue), "label": .string(label), "message": .string(message.description),
            ]
            for (key, value) in sorted where object[key] == nil { object[key] = Self.json(value) }
            write(JSON.object(object).bytes + [UInt8(ascii: "\n")])
        case .text:
            var out: [UInt8] = []
            out.reserveCapacity(256)
            out += Self.clock.now()
            out.append(UInt8(ascii: " "))
            out += level.rawValue.utf8
            out.append(UInt8(ascii: " "))
            out += label.utf8
            out += " :".utf8
            for (key, value) in sorted {
                out.append(UInt8(ascii: " "))
                out += key.utf8
                out.append(UInt8(ascii: "="))
                Self.appendValue(value.description, to: &out)
            }
            out += " [".utf8
            out += source.utf8
            out += "] ".utf8
            Self.appendMessage(message.description, to: &out)
            out.append(UInt8(ascii: "\n"))
            write(out)
        }
    }

    /// A metadata value of the text format: as it is when it is one plain word, else quoted and
    /// escaped as a JSON string — values come from clients and subgraphs (a tenant header, an
    /// error code), and one with a line break would otherwise forge a log line of its own.
    public static func appendValue(_ value: String, to out: inout [UInt8]) {
        let plain = !value.isEmpty && value.utf8.allSatisfy { $0 > 0x20 && $0 != 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "=") }
        if plain { out += value.utf8 } else { out += JSON.string(value).text.utf8 }
    }

    /// The message of the text format: control characters escaped (as in a JSON string), the rest
    /// as it is.
    public static func appendMessage(_ message: String, to out: inout [UInt8]) {
        guard message.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { out += message.utf8; return }
        let quoted = JSON.string(message).text.utf8
        out += quoted.dropFirst().dropLast()
    }

    static func json(_ value: Logger.Metadata.Value) -> JSON {
        switch value {
        case .string(let s): return .string(s)
        case .stringConvertible(let c):
            if let i = c as? Int { return .int(i) }
            if let d = c as? Double { return .double(d) }
            if let b = c as? Bool { return .bool(b) }
            return .string(c.description)
        case .array(let a): return .array(a.map(json))
        case .dictionary(let d): return .object(OrderedDictionary(uniqueKeysWithValues: d.sorted { $0.key < $1.key }.map { ($0.key, json($0.value)) }))
        }
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
