import Foundation
import KubeClient

/// Gathers what an analyzer judges about a workload: pod states, recent Events about the
/// subject and its pods (matched by uid, not by name), log tails of unhealthy pods, and the
/// values of every Secret those pods can reach, for redaction. Everything is bounded.
public struct FactsGatherer: Sendable {
    public let source: any FactSource
    public var logLines = 20
    public var maxEvents = 20
    /// Containers whose logs are read, at most.
    public var maxLogTails = 4

    public init(source: any FactSource) { self.source = source }

    /// What the analysis of `pods` in `namespace` may see. `relatedUIDs` are the uids of the
    /// subject and the objects between it and the pods (a rollout and its Deployments), whose
    /// Events count too.
    public func gather(pods: [JSONValue], namespace: String, relatedUIDs: Set<String> = [],
                       metrics: [MetricSample] = [], checks: [CheckResult] = []) async -> GatheredFacts {
        let podFacts = pods.map(PodFact.init(pod:))
        var logTails: [LogTail] = []
        gathering: for fact in podFacts where !fact.ready || fact.restarts > 0 {
            for container in fact.containers.prefix(2) {
                if let lines = await source.logTail(namespace: namespace, pod: fact.name, container: container.name, lines: logLines),
                   !lines.isEmpty {
                    logTails.append(LogTail(pod: fact.name, container: container.name, lines: Array(lines.suffix(logLines))))
                }
                if logTails.count >= maxLogTails { break gathering }
            }
        }
        var uids = relatedUIDs
        for pod in pods { if let uid = pod["metadata"]["uid"].stringValue { uids.insert(uid) } }
        let events = uids.isEmpty ? [] : await source.events(namespace: namespace, involving: uids)
        let secrets = await source.secretValues(namespace: namespace, names: Self.secretNames(reachableFrom: pods))
        return GatheredFacts(
            facts: AnalysisFacts(metrics: metrics, pods: podFacts, events: events.suffix(maxEvents).map(EventFact.init(event:)),
                                 logs: logTails, checks: checks),
            sensitiveValues: Self.sensitiveForms(of: secrets))
    }

    /// The values redaction must remove for these Secret values: each value, the string
    /// members of one that is a JSON document (a password inside `db.json`), and the decoded
    /// text of one that is itself base64 (an app decodes it and may log the result).
    /// A whole value of any length is kept (redaction hides a short one only where a whole
    /// string equals it); derived forms shorter than 4 characters would redact ordinary
    /// words and are left out.
    public static func sensitiveForms(of values: [String]) -> Set<String> {
        var forms = Set<String>()
        func add(_ value: String) {
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.count >= 4 { forms.insert(trimmed) }
        }
        for value in values where !value.isEmpty {
            forms.insert(value)
            add(value)
            if let json = try? JSONValue(parsing: Array(value.utf8)), json.objectValue != nil || json.arrayValue != nil {
                for leaf in json.stringLeaves { add(leaf) }
            }
            let compact = value.trimmingCharacters(in: .whitespacesAndNewlines)
            if compact.count >= 8, compact.allSatisfy({ $0.isLetter || $0.isNumber || "+/=_-".contains($0) }),
               let data = Data(base64Encoded: Self.padded(compact.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/"))),
               let text = String(data: data, encoding: .utf8), !text.isEmpty,
               text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7f || $0 == "\n" }) {
                add(text)
            }
        }
        return forms
    }

    private static func padded(_ base64: String) -> String {
        let remainder = base64.count % 4
        return remainder == 0 ? base64 : base64 + String(repeating: "=", count: 4 - remainder)
    }

    /// The Secrets a pod can read: env `secretKeyRef`, `envFrom.secretRef`, secret volumes
    /// and projected secret sources, in every kind of container.
    public static func secretNames(reachableFrom pods: [JSONValue]) -> Set<String> {
        var names = Set<String>()
        for pod in pods {
            let spec = pod["spec"]
            let containers = (spec["containers"].arrayValue ?? []) + (spec["initContainers"].arrayValue ?? [])
                + (spec["ephemeralContainers"].arrayValue ?? [])
            for container in containers {
                for env in container["env"].arrayValue ?? [] {
                    if let name = env["valueFrom"]["secretKeyRef"]["name"].stringValue { names.insert(name) }
                }
                for source in container["envFrom"].arrayValue ?? [] {
                    if let name = source["secretRef"]["name"].stringValue { names.insert(name) }
                }
            }
            for volume in spec["volumes"].arrayValue ?? [] {
                if let name = volume["secret"]["secretName"].stringValue { names.insert(name) }
                for projected in volume["projected"]["sources"].arrayValue ?? [] {
                    if let name = projected["secret"]["name"].stringValue { names.insert(name) }
                }
            }
            for pull in spec["imagePullSecrets"].arrayValue ?? [] {
                if let name = pull["name"].stringValue { names.insert(name) }
            }
        }
        return names
    }
}

/// Facts for an ``AnalysisRequest``, with the secret values its redaction must remove.
public struct GatheredFacts: Sendable {
    public var facts: AnalysisFacts
    public var sensitiveValues: Set<String>
}

extension EventFact {
    /// The fact of a core/v1 Event. An Event written through events.k8s.io/v1 (as kube 1.32's
    /// scheduler and client-go's new recorder write them) counts its repeats in `series.count`
    /// and leaves `count` unset.
    public init(event e: JSONValue) {
        let count = e["series"]["count"].intValue ?? e["count"].intValue.flatMap { $0 > 0 ? $0 : nil } ?? 1
        self.init(type: e["type"].stringValue ?? "Normal", reason: e["reason"].stringValue ?? "",
                  message: e["message"].stringValue ?? "",
                  object: "\(e["involvedObject"]["kind"].stringValue ?? "")/\(e["involvedObject"]["name"].stringValue ?? "")",
                  count: count)
    }
}

extension JSONValue {
    /// Every string in this document, at any depth.
    var stringLeaves: [String] {
        switch self {
        case .string(let text): return [text]
        case .object(let members): return members.values.flatMap(\.stringLeaves)
        case .array(let items): return items.flatMap(\.stringLeaves)
        default: return []
        }
    }
}
