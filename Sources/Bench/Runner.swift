import Controllers
import Foundation
import KubeClient
import OperatorKit
import OpsAPI
import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#endif

let bgdResource = BlueGreenDeployment.groupVersionResource

/// Counts the operator's API requests by verb and resource (the transport under its client).
final class CountingTransport: HTTPTransport {
    let base: any HTTPTransport
    private let counts = NIOLockedValueBox([String: Int]())

    init(base: any HTTPTransport) { self.base = base }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        record(request, watch: false)
        return try await base.send(request)
    }

    func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        record(request, watch: true)
        return try await base.stream(request)
    }

    func snapshot() -> [String: Int] { counts.withLockedValue { $0 } }

    var writes: Int { snapshot().filter { Self.isWrite($0.key) }.values.reduce(0, +) }

    static func isWrite(_ key: String) -> Bool {
        ["create", "update", "patch", "delete"].contains { key.hasPrefix($0 + " ") }
    }

    /// "verb resource[/subresource]", kubectl-style verbs (get, list, watch, create, update, patch, delete).
    private func record(_ request: HTTPRequest, watch: Bool) {
        // Split by hand: Foundation's URLComponents cost more than the request it counts.
        let url = request.url
        var hostStart = url.startIndex
        if let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") { hostStart = url.index(colon, offsetBy: 3) }
        let pathStart = url[hostStart...].firstIndex(of: "/") ?? url.endIndex
        let queryStart = url[pathStart...].firstIndex(of: "?") ?? url.endIndex
        let path = url[pathStart..<queryStart]
        let query = queryStart < url.endIndex ? url[url.index(after: queryStart)...] : ""
        var parts = path.split(separator: "/").map(String.init)
        if parts.first == "api" {
            parts.removeFirst(min(2, parts.count))  // api, v1
        } else if parts.first == "apis" {
            parts.removeFirst(min(3, parts.count))  // apis, group, version
        }
        if parts.first == "namespaces", parts.count >= 3 { parts.removeFirst(2) }
        let resource = parts.first ?? "?"
        let named = parts.count >= 2
        let sub = parts.count >= 3 ? "/" + parts[2] : ""
        let verb: String
        switch request.method {
        case "GET": verb = watch || query.contains("watch=true") || query.contains("watch=1") ? "watch" : named ? "get" : "list"
        case "POST": verb = "create"
        case "PUT": verb = "update"
        case "PATCH": verb = "patch"
        case "DELETE": verb = "delete"
        default: verb = request.method.lowercased()
        }
        counts.withLockedValue { $0["\(verb) \(resource)\(sub)", default: 0] += 1 }
    }
}

/// Keeps the latest status of every BlueGreenDeployment from a watch (the load generator's view).
final class StatusBoard: Sendable {
    struct Entry: Sendable { var generation: Int; var observed: Int; var phase: String }
    private let entries = NIOLockedValueBox([String: Entry]())
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    func start(client: KubernetesClient) {
        let t = Task {
            var resourceVersion: String?
            while !Task.isCancelled {
                do {
                    if resourceVersion == nil {
                        let list = try await client.list(bgdResource, namespace: nil, options: ListOptions(omitManagedFields: true))
                        for item in list.items { self.apply(item) }
                        resourceVersion = list.resourceVersion
                    }
                    let stream = try await client.watch(bgdResource, namespace: nil,
                                                        options: WatchOptions(resourceVersion: resourceVersion, timeoutSeconds: 3600, omitManagedFields: true))
                    for try await event in stream {
                        if let object = event.object { self.apply(object) }
                        if let rv = event.resourceVersion { resourceVersion = rv }
                    }
                } catch {
                    resourceVersion = nil
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
        }
        task.withLockedValue { $0 = t }
    }

    func stop() { task.withLockedValue { $0?.cancel() } }

    private func apply(_ object: JSONValue) {
        let key = "\(object["metadata"]["namespace"].stringValue ?? "")/\(object["metadata"]["name"].stringValue ?? "")"
        let entry = Entry(generation: object["metadata"]["generation"].intValue ?? 0,
                          observed: object["status"]["observedGeneration"].intValue ?? 0,
                          phase: object["status"]["phase"].stringValue ?? "")
        entries.withLockedValue { $0[key] = entry }
    }

    func entry(_ key: String) -> Entry? { entries.withLockedValue { $0[key] } }

    /// Waits until `condition` holds for every key; returns the wall time it took from `start`.
    func wait(_ keys: [String], since start: ContinuousClock.Instant, timeout: Duration,
              _ condition: @escaping @Sendable (Entry) -> Bool) async throws -> Duration {
        // Keys already seen to hold are not looked at again until the end, where all are
        // checked once more: the poll costs little while a thousand rollouts progress.
        var pending = keys[...]
        while true {
            let done = entries.withLockedValue { map in
                while let key = pending.first, map[key].map(condition) ?? false { pending = pending.dropFirst() }
                if !pending.isEmpty { return false }
                if keys.allSatisfy({ map[$0].map(condition) ?? false }) { return true }
                pending = keys[...]
                return false
            }
            if done { return ContinuousClock.now - start }
            if ContinuousClock.now - start > timeout {
                let missing = entries.withLockedValue { map in keys.filter { !(map[$0].map(condition) ?? false) } }
                throw BenchError("timed out after \(timeout): \(missing.count) of \(keys.count) not there, e.g. \(missing.prefix(3)) \(missing.first.flatMap { self.entry($0) }.map { "\($0)" } ?? "")")
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// CPU seconds (user+system) and resident memory of a process, from /proc.
enum ProcStats {
    static func cpuSeconds(_ pid: Int32) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return 0 }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command: state(0) ppid(1) … utime(11) stime(12)
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ((Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)) / ticks
    }

    static func rssMiB(_ pid: Int32) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
        return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))]
}

/// A BlueGreenDeployment without analysis checks, promoted automatically, old color scaled down at once:
/// the figures measure the operator and the cluster, not waiting periods.
func benchRollout(_ name: String, namespace: String, image: String = "registry.example/bench:1.0") -> JSONValue {
    [
        "apiVersion": .string(BlueGreenDeployment.definition.apiVersion), "kind": "BlueGreenDeployment",
        "metadata": ["name": .string(name), "namespace": .string(namespace)],
        "spec": [
            "replicas": 1,
            "template": [
                "metadata": ["labels": ["app": .string(name)]],
                "spec": ["containers": [["name": "app", "image": .string(image)]]],
            ],
            "activeService": ["name": .string(name)],
            "previewService": ["name": .string("\(name)-preview")],
            "autoPromotion": ["enabled": true, "delaySeconds": 0],
            "scaleDownDelaySeconds": 0,
        ],
    ]
}
