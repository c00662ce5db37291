import KubeClient
import NIOConcurrencyHelpers

/// What the scheduler and the kubelets know about the nodes: what each offers, what the
/// pods bound to it request, and the pod IPs handed out from its pod network.
final class NodePool: Sendable {
    struct Node: Sendable {
        var name: String
        var labels: [String: String]
        var milliCPU: Int64
        var memory: Int64
        var pods: Int
        var schedulable: Bool
        var podCIDR: String
    }

    struct Usage: Sendable {
        var milliCPU: Int64 = 0
        var memory: Int64 = 0
        var pods = 0
    }

    enum Placement: Sendable, Equatable {
        case placed(String)
        /// No node fits; the message reads as the scheduler's `FailedScheduling` message.
        case unschedulable(String)
    }

    private struct Bound: Sendable {
        var node: String
        var requests: PodRequests
    }

    private struct State: Sendable {
        var nodes: [String: Node] = [:]
        var usage: [String: Usage] = [:]
        var bound: [StoreKey: Bound] = [:]
        var addresses: [String: AddressRange] = [:]
        var podIPs: [StoreKey: (node: String, ip: String)] = [:]
    }

    private let state = NIOLockedValueBox(State())

    var nodeCount: Int { state.withLockedValue { $0.nodes.count } }
    var nodeNames: [String] { state.withLockedValue { $0.nodes.keys.sorted() } }

    // MARK: Nodes

    /// Learns (or re-learns) a node from its object.
    func upsert(node object: JSONValue) {
        let allocatable = object["status"]["allocatable"]
        func quantity(_ name: String) -> Quantity? { allocatable[name].stringValue.flatMap { try? Quantity(parsing: $0) } }
        let ready = (object["status"]["conditions"].arrayValue ?? []).contains {
            $0["type"].stringValue == "Ready" && $0["status"].stringValue == "True"
        }
        let node = Node(name: object.sim.name, labels: object.sim.labels,
                        milliCPU: quantity("cpu")?.milliValue ?? 0, memory: quantity("memory")?.int64Value ?? 0,
                        pods: Int(quantity("pods")?.int64Value ?? 0),
                        schedulable: ready && object["spec"]["unschedulable"].boolValue != true,
                        podCIDR: object["spec"]["podCIDR"].stringValue ?? "")
        state.withLockedValue { s in
            s.nodes[node.name] = node
            if s.usage[node.name] == nil { s.usage[node.name] = Usage() }
            if s.addresses[node.name]?.cidr != node.podCIDR {
                s.addresses[node.name] = AddressRange(cidr: node.podCIDR)
            }
        }
    }

    func remove(node name: String) {
        state.withLockedValue { s in
            s.nodes.removeValue(forKey: name)
        }
    }

    /// Replaces everything known about nodes (after a relist).
    func reset(nodes objects: [JSONValue]) {
        let names = Set(objects.map(\.sim.name))
        state.withLockedValue { s in
            for name in s.nodes.keys where !names.contains(name) { s.nodes.removeValue(forKey: name) }
        }
        for object in objects { upsert(node: object) }
    }

    // MARK: Placement

    /// Picks the least allocated schedulable node that fits the pod and books its requests there.
    func place(_ pod: StoreKey, requests: PodRequests, nodeSelector: [String: String]) -> Placement {
        state.withLockedValue { s in
            if let bound = s.bound[pod] { return .placed(bound.node) }
            var reasons: [String: Int] = [:]
            var best: (name: String, score: Double, pods: Int)?
            for node in s.nodes.values {
                let used = s.usage[node.name] ?? Usage()
                var reason: String?
                if !node.schedulable {
                    reason = "node(s) were unschedulable"
                } else if !nodeSelector.allSatisfy({ node.labels[$0.key] == $0.value }) {
                    reason = "node(s) didn't match Pod's node affinity/selector"
                } else if used.pods + 1 > node.pods {
                    reason = "Too many pods"
                } else if used.milliCPU + requests.milliCPU > node.milliCPU {
                    reason = "Insufficient cpu"
                } else if used.memory + requests.memory > node.memory {
                    reason = "Insufficient memory"
                }
                if let reason {
                    reasons[reason, default: 0] += 1
                    continue
                }
                let cpu = node.milliCPU > 0 ? Double(used.milliCPU + requests.milliCPU) / Double(node.milliCPU) : 0
                let memory = node.memory > 0 ? Double(used.memory + requests.memory) / Double(node.memory) : 0
                let podShare = Double(used.pods + 1) / Double(max(node.pods, 1))
                let score = (cpu + memory + podShare) / 3
                if let current = best {
                    if score < current.score || (score == current.score && node.name < current.name) {
                        best = (node.name, score, used.pods)
                    }
                } else {
                    best = (node.name, score, used.pods)
                }
            }
            guard let best else {
                let total = s.nodes.count
                let detail = reasons.map { "\($0.value) \($0.key)" }.sorted().joined(separator: ", ")
                var message = "0/\(total) nodes are available"
                message += detail.isEmpty ? "." : ": \(detail)."
                message += " preemption: 0/\(total) nodes are available: \(total) Preemption is not helpful for scheduling."
                return .unschedulable(message)
            }
            Self.book(&s, pod, Bound(node: best.name, requests: requests))
            return .placed(best.name)
        }
    }

    /// Records a pod already bound to a node (idempotent).
    func account(_ pod: StoreKey, node: String, requests: PodRequests) {
        state.withLockedValue { s in
            if let bound = s.bound[pod], bound.node == node { return }
            Self.unbook(&s, pod)
            Self.book(&s, pod, Bound(node: node, requests: requests))
        }
    }

    /// Frees what a pod booked and the IP it held (deleted, or finished).
    func release(_ pod: StoreKey) {
        state.withLockedValue { s in
            Self.unbook(&s, pod)
            if let held = s.podIPs.removeValue(forKey: pod) { s.addresses[held.node]?.free(held.ip) }
        }
    }

    func node(of pod: StoreKey) -> String? { state.withLockedValue { $0.bound[pod]?.node } }

    /// The labels of a node (its zone, hostname…).
    func labels(of node: String) -> [String: String] { state.withLockedValue { $0.nodes[node]?.labels ?? [:] } }

    /// Pods bound per node, and what they request.
    var usage: [String: Usage] { state.withLockedValue { $0.usage } }

    private static func book(_ s: inout State, _ pod: StoreKey, _ bound: Bound) {
        s.bound[pod] = bound
        var used = s.usage[bound.node] ?? Usage()
        used.pods += 1
        used.milliCPU += bound.requests.milliCPU
        used.memory += bound.requests.memory
        s.usage[bound.node] = used
    }

    private static func unbook(_ s: inout State, _ pod: StoreKey) {
        guard let bound = s.bound.removeValue(forKey: pod) else { return }
        var used = s.usage[bound.node] ?? Usage()
        used.pods = max(0, used.pods - 1)
        used.milliCPU = max(0, used.milliCPU - bound.requests.milliCPU)
        used.memory = max(0, used.memory - bound.requests.memory)
        s.usage[bound.node] = used
    }

    // MARK: Pod IPs

    /// The pod's IP on `node`: the one it already holds, `preferred` when it is free (a pod
    /// adopted after a restart keeps its address), or the next free one.
    func address(for pod: StoreKey, on node: String, preferred: String? = nil) -> String? {
        state.withLockedValue { s in
            if let held = s.podIPs[pod], held.node == node { return held.ip }
            guard var range = s.addresses[node] else { return nil }
            let ip: String?
            if let preferred, range.claim(preferred) { ip = preferred } else { ip = range.next() }
            s.addresses[node] = range
            if let ip { s.podIPs[pod] = (node, ip) }
            return ip
        }
    }
}

/// The free addresses of one node's pod network (IPv4, /8 to /30).
struct AddressRange: Sendable {
    let cidr: String
    private let base: UInt32
    private let size: UInt32
    private var nextOffset: UInt32 = 2
    private var freed: [UInt32] = []
    private var taken = Set<UInt32>()

    init(cidr: String) {
        self.cidr = cidr
        let parts = cidr.split(separator: "/")
        let octets = parts.first.map { $0.split(separator: ".").compactMap { UInt32($0) } } ?? []
        let prefix = parts.count == 2 ? UInt32(parts[1]) ?? 24 : 24
        if octets.count == 4, (8...30).contains(prefix) {
            let mask: UInt32 = prefix == 0 ? 0 : ~UInt32(0) << (32 - prefix)
            base = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) & mask
            size = UInt32(1) << (32 - prefix)
        } else {
            base = 0x0A_F4_00_00  // 10.244.0.0/16 when the node names no pod network
            size = 1 << 16
        }
    }

    mutating func next() -> String? {
        while let offset = freed.popLast() {
            if !taken.contains(offset) { taken.insert(offset); return Self.format(base + offset) }
        }
        while nextOffset < size - 1 {
            let offset = nextOffset
            nextOffset += 1
            if taken.insert(offset).inserted { return Self.format(base + offset) }
        }
        return nil
    }

    mutating func claim(_ ip: String) -> Bool {
        let octets = ip.split(separator: ".").compactMap { UInt32($0) }
        guard octets.count == 4 else { return false }
        let value = (octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]
        guard value > base, value < base + size - 1 else { return false }
        return taken.insert(value - base).inserted
    }

    mutating func free(_ ip: String) {
        let octets = ip.split(separator: ".").compactMap { UInt32($0) }
        guard octets.count == 4 else { return }
        let value = (octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]
        guard value > base, value < base + size else { return }
        if taken.remove(value - base) != nil { freed.append(value - base) }
    }

    static func format(_ value: UInt32) -> String {
        "\(value >> 24).\((value >> 16) & 0xFF).\((value >> 8) & 0xFF).\(value & 0xFF)"
    }
}
