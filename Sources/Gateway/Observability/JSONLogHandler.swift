import Foundation
import GraphQLCore
import Logging
import OrderedCollections
import PlatformKit

/// swift-log output as JSON, one object per line on standard error: `time` (ISO 8601 UTC),
/// `level`, `label`, `message`, then the metadata (the access log's `tenant`, `operation`,
/// `status`, … and, when tracing, `trace_id` / `span_id`), handler metadata first.
///
/// ```swift
/// LoggingSystem.bootstrap { JSONLogHandler(label: $0, level: .info) }
/// ```
public struct JSONLogHandler: LogHandler {
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

    public static let standardError: @Sendable ([UInt8]) -> Void = { bytes in
        // One write(2) per line: lines from concurrent tasks never interleave.
        bytes.withUnsafeBufferPointer { p in _ = Foundation.write(2, p.baseAddress, p.count) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?,
                    source: String, file: String, function: String, line: UInt) {
        var object: OrderedDictionary<String, JSON> = [
            "time": .string(Date().iso8601), "level": .string(level.rawValue), "label": .string(label), "message": .string(message.description),
        ]
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let explicit { all.merge(explicit) { _, new in new } }
        for (key, value) in all.sorted(by: { $0.key < $1.key }) where object[key] == nil { object[key] = Self.json(value) }
        write(JSON.object(object).bytes + [UInt8(ascii: "\n")])
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
}
