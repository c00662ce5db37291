import Foundation
import KubeClient
import Logging

/// Writes readable lines for a terminal:
/// `2025-06-15T10:00:00.123Z INFO  opsagent.manager  caches synced  informers=3`.
public struct TextLogHandler: LogHandler {
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
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let eventMetadata = event.metadata { all.merge(eventMetadata) { _, new in new } }
        output.write(line: Self.format(event, label: label, metadata: all))
    }

    static func format(_ event: LogEvent, label: String, metadata: Logger.Metadata, date: Date = Date()) -> String {
        let level = event.level.rawValue.uppercased().padding(toLength: 8, withPad: " ", startingAt: 0)
        var line = "\(KubeTimestamp.format(date, fractionalDigits: 3)) \(level) \(label)  \(event.message)"
        for key in metadata.keys.sorted() {
            let text = "\(metadata[key]!)"
            line += " \(key)=" + (text.contains(" ") || text.isEmpty ? "\"\(text)\"" : text)
        }
        if let error = event.error { line += " error=\"\(error)\"" }
        return line
    }
}
