import Foundation
import KubeClient

/// The Node objects of the simulated cluster, shaped as a kubelet registers them.
enum NodeTemplate {
    static let simulatedLabel = "sim.opsagent.dev/simulated"
    static let namePrefix = "sim-node-"
    static let kubeletVersion = "v1.32.0"
    /// What the node keeps for system daemons (capacity minus allocatable).
    static let reservedMilliCPU: Int64 = 100
    static let reservedMemory: Int64 = 256 * 1024 * 1024

    static func name(_ index: Int) -> String { "\(namePrefix)\(index + 1)" }

    /// The node's pod network: a /24 per node while nodes hold at most 254 pods, else a /16.
    static func podCIDR(_ index: Int, maxPods: Int) -> String {
        if maxPods <= 254 { return "10.\(100 + index / 256).\(index % 256).0/24" }
        return "10.\(100 + index).0.0/16"
    }

    static func internalIP(_ index: Int) -> String {
        let n = index + 2
        return "172.18.\(n / 256).\(n % 256)"
    }

    static func node(index: Int, capacity: NodeCapacity, created: Date = Date()) -> JSONValue {
        let name = name(index)
        let now = SimTime.string(created)
        let allocatableCPU = Int64(capacity.cpuCores) * 1000 - reservedMilliCPU
        let allocatableMemory = capacity.memoryBytes - reservedMemory
        let condition = { (type: String, status: String, reason: String, message: String) -> JSONValue in
            [
                "type": .string(type), "status": .string(status), "reason": .string(reason),
                "message": .string(message), "lastHeartbeatTime": now, "lastTransitionTime": now,
            ]
        }
        let cidr = podCIDR(index, maxPods: capacity.pods)
        return [
            "apiVersion": "v1", "kind": "Node",
            "metadata": [
                "name": .string(name),
                "labels": [
                    "kubernetes.io/hostname": .string(name), "kubernetes.io/os": "linux",
                    "kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
                    "beta.kubernetes.io/arch": "amd64", "node.kubernetes.io/instance-type": "sim.standard",
                    "topology.kubernetes.io/region": "sim-region-1",
                    "topology.kubernetes.io/zone": .string("sim-region-1\(["a", "b", "c"][index % 3])"),
                    simulatedLabel: "true",
                ],
                "annotations": ["node.alpha.kubernetes.io/ttl": "0",
                                "volumes.kubernetes.io/controller-managed-attach-detach": "true"],
            ],
            "spec": ["podCIDR": .string(cidr), "podCIDRs": [.string(cidr)],
                     "providerID": .string("sim://\(name)")],
            "status": [
                "capacity": [
                    "cpu": .string(String(capacity.cpuCores)), "memory": .string("\(capacity.memoryBytes / 1024)Ki"),
                    "pods": .string(String(capacity.pods)), "ephemeral-storage": "102400000Ki",
                    "hugepages-2Mi": "0",
                ],
                "allocatable": [
                    "cpu": .string("\(allocatableCPU)m"), "memory": .string("\(allocatableMemory / 1024)Ki"),
                    "pods": .string(String(capacity.pods)), "ephemeral-storage": "94371840Ki",
                    "hugepages-2Mi": "0",
                ],
                "conditions": [
                    condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                    condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                    condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                    condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
                ],
                "addresses": [
                    ["type": "InternalIP", "address": .string(internalIP(index))],
                    ["type": "Hostname", "address": .string(name)],
                ],
                "daemonEndpoints": ["kubeletEndpoint": ["Port": 10250]],
                "nodeInfo": [
                    "machineID": .string(hex(name, 32)), "systemUUID": .string(uuid(name)),
                    "bootID": .string(uuid("boot-" + name)), "kernelVersion": "6.1.0-sim",
                    "osImage": "Debian GNU/Linux 12 (bookworm)", "containerRuntimeVersion": "containerd://1.7.24",
                    "kubeletVersion": .string(kubeletVersion), "kubeProxyVersion": .string(kubeletVersion),
                    "operatingSystem": "linux", "architecture": "amd64",
                ],
            ],
        ]
    }

    /// A stable hex string derived from `seed` (FNV-1a, repeated), `length` digits long.
    static func hex(_ seed: String, _ length: Int) -> String {
        var out = ""
        var round: UInt64 = 0
        while out.count < length {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in (seed + "#\(round)").utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
            let digits = String(hash, radix: 16)
            out += String(repeating: "0", count: 16 - digits.count) + digits
            round += 1
        }
        return String(out.prefix(length))
    }

    static func uuid(_ seed: String) -> String {
        let h = Array(hex(seed, 32))
        return "\(String(h[0..<8]))-\(String(h[8..<12]))-\(String(h[12..<16]))-\(String(h[16..<20]))-\(String(h[20..<32]))"
    }
}
