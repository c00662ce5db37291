import Cloud
import Foundation
import KubeClient

/// What the AWS and GCP tool groups share: their clients from the call, cloud errors as
/// tool errors, the common arguments, and pages of cloud lists as tool output.
extension ToolCall {
    /// The AWS client of the `region` argument (the configured region when absent).
    func aws() throws(ToolError) -> AWSClient {
        guard let cloud, cloud.awsSettings != nil else { throw .notConfigured(tool: tool, cloud: .aws) }
        let region = try arguments.string("region").flatMap { $0.isEmpty ? nil : $0 }
        do { return try cloud.aws(region: region) } catch { throw .cloud(error) }
    }

    /// The GCP client, and the `project` argument (nil: the configured project).
    func gcp() throws(ToolError) -> (client: GCPClient, project: String?) {
        guard let cloud, cloud.gcpSettings != nil else { throw .notConfigured(tool: tool, cloud: .gcp) }
        let project = try arguments.string("project").flatMap { $0.isEmpty ? nil : $0 }
        do { return (try cloud.gcp(), project) } catch { throw .cloud(error) }
    }

    /// Runs cloud calls; a ``CloudError`` (the provider's code and message, what to do)
    /// becomes the tool's error.
    func cloudCall<T: Sendable>(_ body: () async throws(CloudError) -> T) async throws(ToolError) -> T {
        do { return try await body() } catch { throw .cloud(error) }
    }

    /// The look-back window of a metrics query: `minutes` (1…10080, default 60) up to now.
    func window() throws(ToolError) -> (start: Date, end: Date) {
        let minutes = try arguments.int("minutes", range: 1...10_080) ?? 60
        let end = Date()
        return (end.addingTimeInterval(-Double(minutes) * 60), end)
    }

    /// A list of non-empty strings (`name`), or a single string as a list of one.
    func strings(_ name: String) throws(ToolError) -> [String] {
        if case .string(let single)? = arguments.values[name] { return single.isEmpty ? [] : [single] }
        var result: [String] = []
        for (i, value) in (try arguments.array(name) ?? []).enumerated() {
            guard let text = value.stringValue, !text.isEmpty else {
                throw .invalidArgument(name: "\(name)[\(i)]", problem: "expected a non-empty string")
            }
            result.append(text)
        }
        return result
    }
}

extension ToolOutput {
    /// A cloud list: `items` under `key` with `continue` (the provider's token) when there is more.
    static func cloudTable(_ key: String, _ items: [JSONValue], next: String? = nil, extra: [String: JSONValue] = [:],
                           columns: KeyValuePairs<String, String>) -> ToolOutput {
        var output = table(key, items, ObjectList(items: items, resourceVersion: "", continueToken: next), columns: columns)
        for (name, value) in extra { output.structured[name] = value }
        return output
    }
}

/// Schemas of the arguments the cloud tools share.
extension InputSchema {
    static let region = string("AWS region; defaults to the configured one.")
    static let project = string("GCP project; defaults to the configured one (or the key's project).")
    static let minutes = integer("How far back to read, in minutes (default 60).", minimum: 1, maximum: 10_080)
    static func stringList(_ description: String) -> JSONValue {
        ["type": "array", "description": .string(description), "items": ["type": "string"]]
    }
}

/// Data points as tool output: `{timestamp, value}` oldest first, the last `limit` only.
enum CloudPoints {
    static let limit = 500

    static func json(_ points: [(Date, Double)]) -> JSONValue {
        .array(points.suffix(limit).map { ["timestamp": .string(CloudTime.format($0.0)), "value": .double($0.1)] })
    }

    /// "latest 97.5 at 2026-…" or "no data points".
    static func latest(_ points: [(Date, Double)]) -> String {
        guard let last = points.last else { return "no data points in the window" }
        return "latest \(format(last.1)) at \(CloudTime.format(last.0)) (\(points.count) points)"
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
