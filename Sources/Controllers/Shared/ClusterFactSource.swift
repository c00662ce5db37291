import Analysis
import Foundation
import KubeClient
import OperatorKit

/// Facts read from the cluster through the API: pods by selector, Events by the uid of the
/// object they involve, log tails, and the Secrets pods can reach (decoded, for redaction).
struct ClusterFactSource: FactSource {
    let api: any KubernetesAPI
    let logReader: OperatorContext.LogReader?

    func pods(namespace: String, selector: LabelSelector) async -> [JSONValue] {
        let list = try? await api.list(.pods, namespace: namespace, options: ListOptions(labelSelector: selector.description))
        return (list?.items ?? []).filter { $0["metadata"]["deletionTimestamp"].isNull }
    }

    /// Up to this many uids, each gets its own list selected by `involvedObject.uid`, which
    /// the API server answers with those Events alone; past it, one list of the namespace
    /// (its first 500 Events) is filtered here.
    static let selectedListLimit = 8

    /// The Events about `uids`, oldest first. Each uid is asked for by field selector: the
    /// cost follows the objects analysed, not how many Events their namespace holds (a
    /// namespace of 1,000 rollouts has thousands).
    func events(namespace: String, involving uids: Set<String>) async -> [JSONValue] {
        var events: [JSONValue] = []
        if uids.count <= Self.selectedListLimit {
            for uid in uids.sorted() {
                let options = ListOptions(fieldSelector: "involvedObject.uid=\(uid)", limit: 500)
                guard let list = try? await api.list(.events, namespace: namespace, options: options) else { continue }
                events += list.items
            }
        } else if let list = try? await api.list(.events, namespace: namespace, options: ListOptions(limit: 500)) {
            events = list.items.filter { uids.contains($0["involvedObject"]["uid"].stringValue ?? "") }
        }
        return events.sorted { Self.time(of: $0) < Self.time(of: $1) }
    }

    func logTail(namespace: String, pod: String, container: String, lines: Int) async -> [String]? {
        if let logReader { return await logReader(namespace, pod, container, lines) }
        guard let client = api as? KubernetesClient,
              let text = try? await client.logs(pod: pod, namespace: namespace, options: LogOptions(container: container, tailLines: lines))
        else { return nil }
        return text.split(separator: "\n").map(String.init)
    }

    func secretValues(namespace: String, names: Set<String>) async -> [String] {
        var values: [String] = []
        for name in names.sorted() {
            guard let secret = try? await api.get(.secrets, name: name, namespace: namespace) else { continue }
            for (_, encoded) in secret["data"].objectValue ?? [:] {
                guard let text = encoded.stringValue, let data = Data(base64Encoded: text) else { continue }
                values.append(String(decoding: data, as: UTF8.self))
            }
            for (_, plain) in secret["stringData"].objectValue ?? [:] {
                if let text = plain.stringValue { values.append(text) }
            }
        }
        return values
    }

    private static func time(of event: JSONValue) -> String {
        event["lastTimestamp"].stringValue ?? event["eventTime"].stringValue ?? event["metadata"]["creationTimestamp"].stringValue ?? ""
    }
}
