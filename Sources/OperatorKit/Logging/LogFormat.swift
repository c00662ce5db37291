import Foundation
import Logging
import NIOConcurrencyHelpers

/// How the operator writes its logs.
public enum LogFormat: String, Sendable, CaseIterable {
    /// One JSON object per line, for log collectors (the default in a cluster).
    case json
    /// Aligned, readable lines (the default on a terminal).
    case text
    /// `text` when standard error is a terminal, `json` otherwise.
    case auto

    /// The concrete format `auto` stands for here.
    public var resolved: LogFormat {
        guard self == .auto else { return self }
        return isatty(STDERR_FILENO) == 1 ? .text : .json
    }
}

/// Sets up swift-log for the operator process.
public enum OperatorLogging {
    /// Bootstraps the global logging system once per process with `format` at `level`. Lines
    /// written during a reconcile carry its `controller`, `object` and `reconcileID`
    /// (``Logger/MetadataProvider/reconcile``).
    public static func bootstrap(format: LogFormat, level: Logger.Level) {
        let output = LogOutput.standardError
        switch format.resolved {
        case .json, .auto:
            LoggingSystem.bootstrap({ label, provider in
                var handler = JSONLogHandler(label: label, level: level, output: output)
                handler.metadataProvider = provider
                return handler
            }, metadataProvider: .reconcile)
        case .text:
            LoggingSystem.bootstrap({ label, provider in
                var handler = TextLogHandler(label: label, level: level, output: output)
                handler.metadataProvider = provider
                return handler
            }, metadataProvider: .reconcile)
        }
    }
}

/// Where log lines go: one `write(2)` per line under a lock, so lines never interleave.
public final class LogOutput: Sendable {
    private let descriptor: Int32
    private let lock = NIOLock()

    public static let standardError = LogOutput(descriptor: STDERR_FILENO)

    public init(descriptor: Int32) { self.descriptor = descriptor }

    public func write(line: String) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        lock.withLock {
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written <= 0 { return }
                    offset += written
                }
            }
        }
    }
}
