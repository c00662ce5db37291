import ArgumentParser
import Foundation
import KubeClient
import KubeSim

/// `opsagent get`: reads resources from any cluster, like `kubectl get`, to prove the client.
struct Get: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Display one or many resources.",
        discussion: "Examples:\n  opsagent get pods -n kube-system\n  opsagent get deployments.apps web -o yaml\n  opsagent get bgd -A -o json")

    @Argument(help: "The resource type: plural, singular, short name or kind, optionally with its group (deployments.apps).")
    var resource: String

    @Argument(help: "Names of objects to get; all when omitted.")
    var names: [String] = []

    @OptionGroup var cluster: ClusterOptions

    @Option(name: .shortAndLong, help: "The namespace; defaults to the context's namespace.")
    var namespace: String?

    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "List across all namespaces.")
    var allNamespaces = false

    @Option(name: [.customShort("l"), .customLong("selector")], help: "Label selector, e.g. app=web,tier!=db.")
    var selector: String?

    @Option(name: .customLong("field-selector"), help: "Field selector, e.g. metadata.name=web.")
    var fieldSelector: String?

    @Option(name: .shortAndLong, help: "Output format: json, yaml, name, or a table (default).")
    var output: OutputFormat = .table

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case table, json, yaml, name }

    func run() async throws {
        let client = try cluster.makeClient()
        let info = try await client.resolve(resource)
        let ns: String? = info.namespaced ? (allNamespaces ? nil : namespace ?? client.defaultNamespace) : nil
        var items: [JSONValue]
        if names.isEmpty {
            items = try await client.listAll(info.resource, namespace: ns,
                                             options: ListOptions(labelSelector: selector, fieldSelector: fieldSelector, limit: 500)).items
        } else {
            items = []
            for name in names { items.append(try await client.get(info.resource, name: name, namespace: ns)) }
        }
        for i in items.indices {
            if items[i]["apiVersion"].isNull { items[i]["apiVersion"] = .string(info.apiVersion) }
            if items[i]["kind"].isNull { items[i]["kind"] = .string(info.kind) }
        }
        print(render(items, info: info, single: names.count == 1), terminator: "")
    }

    func render(_ items: [JSONValue], info: APIResourceInfo, single: Bool) -> String {
        let document: JSONValue = single ? items[0] : ["apiVersion": "v1", "kind": "List", "items": .array(items), "metadata": ["resourceVersion": ""]]
        switch output {
        case .json: return document.serialized(pretty: true) + "\n"
        case .yaml: return (try? document.yaml()) ?? document.serialized(pretty: true) + "\n"
        case .name:
            let prefix = info.group.isEmpty ? info.singularName : "\(info.singularName).\(info.group)"
            return items.map { "\(prefix)/\($0["metadata"]["name"].stringValue ?? "")\n" }.joined()
        case .table:
            if items.isEmpty {
                return ns(info) .map { "No resources found in \($0) namespace.\n" } ?? "No resources found\n"
            }
            var rows: [[String]] = [allNamespaces && info.namespaced ? ["NAMESPACE", "NAME", "AGE"] : ["NAME", "AGE"]]
            for item in items {
                let age = HumanDuration.since(item["metadata"]["creationTimestamp"].stringValue, now: Date())
                let name = item["metadata"]["name"].stringValue ?? ""
                rows.append(allNamespaces && info.namespaced ? [item["metadata"]["namespace"].stringValue ?? "", name, age] : [name, age])
            }
            return TextTable.render(rows)
        }
    }

    private func ns(_ info: APIResourceInfo) -> String? {
        guard info.namespaced, !allNamespaces else { return nil }
        return namespace ?? "default"
    }
}

/// Options that pick the cluster, shared by every command that talks to one.
struct ClusterOptions: ParsableArguments {
    @Option(help: "Path to the kubeconfig file (default: $KUBECONFIG, in-cluster, then ~/.kube/config).")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context to use.")
    var context: String?

    func makeClient() throws -> KubernetesClient {
        try KubernetesClient(kubeconfigPath: kubeconfig ?? ProcessInfo.processInfo.environment["OPSAGENT_KUBECONFIG"], context: context)
    }
}

/// Columns padded like kubectl's tab writer: three spaces between columns.
enum TextTable {
    static func render(_ rows: [[String]]) -> String {
        guard let width = rows.map(\.count).max() else { return "" }
        var widths = Array(repeating: 0, count: width)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i] + 3, withPad: " ", startingAt: 0)
            }.joined()
        }.joined(separator: "\n") + "\n"
    }
}
