import Foundation
import KubeClient
import Logging

/// Writes each log event as one JSON object per line:
/// `{"ts":"…","level":"info","logger":"opsagent.manager","msg":"…", <metadata>…}`.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let output: LogOutput

    public init(label: String, level: Logger.Level = .info, output: LogOutput = .standardError) {
        self.label = label
        self.logLevel = level
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        output.write(line: Self.format(event, label: label, metadata: merged(event.metadata)))
    }

    static func format(_ event: LogEvent, label: String, metadata: Logger.Metadata, date: Date = Date()) -> String {
        var object: [String: JSONValue] = [:]
        for (key, value) in metadata { object[key] = json(value) }
        object["ts"] = .string(KubeTimestamp.format(date, fractionalDigits: 3))
        object["level"] = .string(event.level.rawValue)
        object["logger"] = .string(label)
        object["msg"] = .string(event.message.description)
        if let error = event.error { object["error"] = .string(String(describing: error)) }
        if event.level >= .warning { object["caller"] = .string("\(event.file.split(separator: "/").last ?? ""):\(event.line)") }
        return JSONValue.object(object).serialized(pretty: false)
    }

    private func merged(_ eventMetadata: Logger.Metadata?) -> Logger.Metadata {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let eventMetadata { all.merge(eventMetadata) { _, new in new } }
        return all
    }

    /// Metadata as typed JSON: numbers and booleans given as values (`.stringConvertible(3)`,
    /// `"\(count)"` is a string) stay numbers and booleans, durations become seconds.
    static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let text): return .string(text)
        case .stringConvertible(let convertible):
            switch convertible {
            case let value as Bool: return .bool(value)
            case let value as Int: return .int(Int64(value))
            case let value as Int64: return .int(value)
            case let value as Int32: return .int(Int64(value))
            case let value as UInt32: return .int(Int64(value))
            case let value as UInt64 where value <= UInt64(Int64.max): return .int(Int64(value))
            case let value as Double where value.isFinite: return .double(value)
            case let value as Float where value.isFinite: return .double(Double(value))
            case let value as Duration: return .double(value.seconds)
            default: return .string(convertible.description)
            }
        case .array(let values): return .array(values.map(json))
        case .dictionary(let dictionary): return .object(dictionary.mapValues(json))
        }
    }
}
