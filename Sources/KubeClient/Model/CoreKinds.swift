import Foundation

// Typed views of core/v1 kinds (and Lease, coordination.k8s.io/v1).

// MARK: - Service

public struct Service: KubeObject, Hashable {
    public static let apiVersion = "v1"
    public static let kind = "Service"
    public static let plural = "services"
    public static let namespaced = true

    @Defaulted public var metadata: ObjectMeta
    @Defaulted public var spec: ServiceSpec
    @Defaulted public var status: ServiceStatus

    public init(metadata: ObjectMeta = ObjectMeta(), spec: ServiceSpec = ServiceSpec(), status: ServiceStatus = ServiceStatus()) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct ServiceSpec: Codable, Sendable, Hashable, DefaultConstructible {
    /// `ClusterIP`, `NodePort`, `LoadBalancer`, `ExternalName`.
    public var type: String?
    public var selector: [String: String]?
    public var ports: [ServicePort]?
    public var clusterIP: String?
    public var clusterIPs: [String]?
    public var externalIPs: [String]?
    public var externalName: String?
    public var loadBalancerIP: String?
    public var loadBalancerSourceRanges: [String]?
    public var sessionAffinity: String?
    public var externalTrafficPolicy: String?
    public var internalTrafficPolicy: String?
    public var ipFamilies: [String]?
    public var ipFamilyPolicy: String?
    public var publishNotReadyAddresses: Bool?

    public init() {}
}

public struct ServicePort: Codable, Sendable, Hashable {
    public var name: String?
    public var `protocol`: String?
    public var port: Int
    public var targetPort: IntOrString?
    public var nodePort: Int?
    public var appProtocol: String?

    public init(name: String? = nil, port: Int, targetPort: IntOrString? = nil, protocol: String? = nil) {
        self.name = name
        self.port = port
        self.targetPort = targetPort
        self.protocol = `protocol`
    }
}

/// `status.loadBalancer` of Services and Ingresses.
public struct LoadBalancerStatus: Codable, Sendable, Hashable, DefaultConstructible {
    public struct Ingress: Codable, Sendable, Hashable {
        public var ip: String?
        public var hostname: String?
        public var ports: JSONValue?
        public init(ip: String? = nil, hostname: String? = nil) {
            self.ip = ip
            self.hostname = hostname
        }
    }
    public var ingress: [Ingress]?
    public init() {}
}

public struct ServiceStatus: Codable, Sendable, Hashable, DefaultConstructible {
    public var loadBalancer: LoadBalancerStatus?
    public var conditions: [Condition]?
    public init() {}
}

// MARK: - Endpoints

public struct Endpoints: KubeObject, Hashable {
    public static let apiVersion = "v1"
    public static let kind = "Endpoints"
    public static let plural = "endpoints"
    public static let namespaced = true

    @Defaulted public var metadata: ObjectMeta
    public var subsets: [EndpointSubset]?

    public init(metadata: ObjectMeta = ObjectMeta(), subsets: [EndpointSubset]? = nil) {
        self.metadata = metadata
        self.subsets = subsets
    }
}

public struct EndpointSubset: Codable, Sendable, Hashable {
    public struct Address: Codable, Sendable, Hashable {
        public var ip: String
        public var hostname: String?
        public var nodeName: String?
        public var targetRef: ObjectReference?
        public init(ip: String, hostname: String? = nil, nodeName: String? = nil, targetRef: ObjectReference? = nil) {
            self.ip = ip
            self.hostname = hostname
            self.nodeName = nodeName
            self.targetRef = targetRef
        }
    }

    public struct Port: Codable, Sendable, Hashable {
        public var name: String?
        public var port: Int
        public var `protocol`: String?
        public var appProtocol: String?
        public init(name: String? = nil, port: Int, protocol: String? = nil) {
            self.name = name
            self.port = port
            self.protocol = `protocol`
        }
    }

    public var addresses: [Address]?
    public var notReadyAddresses: [Address]?
    public var ports: [Port]?

    public init(addresses: [Address]? = nil, notReadyAddresses: [Address]? = nil, ports: [Port]? = nil) {
        self.addresses = addresses
        self.notReadyAddresses = notReadyAddresses
        self.ports = ports
    }
}

// MARK: - Event (core/v1)

public struct Event: KubeObject, Hashable {
    public static let apiVersion = "v1"
    public static let kind = "Event"
    public static let plural = "events"
    public static let namespaced = true

    public struct Source: Codable, Sendable, Hashable {
        public var component: String?
        public var host: String?
        public init(component: String? = nil, host: String? = nil) {
            self.component = component
            self.host = host
        }
    }

    public struct Series: Codable, Sendable, Hashable {
        public var count: Int?
        public var lastObservedTime: MicroTime?
        public init(count: Int? = nil, lastObservedTime: MicroTime? = nil) {
            self.count = count
            self.lastObservedTime = lastObservedTime
        }
    }

    @Defaulted public var metadata: ObjectMeta
    @Defaulted public var involvedObject: ObjectReference
    public var reason: String?
    public var message: String?
    /// `Normal` or `Warning`.
    public var type: String?
    public var source: Source?
    public var firstTimestamp: KubeTime?
    public var lastTimestamp: KubeTime?
    public var count: Int?
    public var eventTime: MicroTime?
    public var series: Series?
    public var action: String?
    public var related: ObjectReference?
    public var reportingComponent: String?
    public var reportingInstance: String?

    public init(metadata: ObjectMeta = ObjectMeta(), involvedObject: ObjectReference = ObjectReference()) {
        self.metadata = metadata
        self.involvedObject = involvedObject
    }
}

extension ObjectReference: DefaultConstructible {
    public init() { self.init(apiVersion: nil) }
}

// MARK: - Lease (coordination.k8s.io/v1)

public struct Lease: KubeObject, Hashable {
    public static let apiVersion = "coordination.k8s.io/v1"
    public static let kind = "Lease"
    public static let plural = "leases"
    public static let namespaced = true

    @Defaulted public var metadata: ObjectMeta
    @Defaulted public var spec: LeaseSpec

    public init(metadata: ObjectMeta = ObjectMeta(), spec: LeaseSpec = LeaseSpec()) {
        self.metadata = metadata
        self.spec = spec
    }
}

public struct LeaseSpec: Codable, Sendable, Hashable, DefaultConstructible {
    public var holderIdentity: String?
    public var leaseDurationSeconds: Int?
    public var acquireTime: MicroTime?
    public var renewTime: MicroTime?
    public var leaseTransitions: Int?
    public var strategy: String?
    public var preferredHolder: String?

    public init() {}
}

// MARK: - ConfigMap, Secret

public struct ConfigMap: KubeObject, Hashable {
    public static let apiVersion = "v1"
    public static let kind = "ConfigMap"
    public static let plural = "configmaps"
    public static let namespaced = true

    @Defaulted public var metadata: ObjectMeta
    public var data: [String: String]?
    /// Base64 values, as on the wire.
    public var binaryData: [String: String]?
    public var immutable: Bool?

    public init(metadata: ObjectMeta = ObjectMeta(), data: [String: String]? = nil) {
        self.metadata = metadata
        self.data = data
    }
}

public struct Secret: KubeObject, Hashable {
    public static let apiVersion = "v1"
    public static let kind = "Secret"
    public static let plural = "secrets"
    public static let namespaced = true

    @Defaulted public var metadata: ObjectMeta
    /// Base64 values, as on the wire; see ``decodedData`` and ``setData(_:forKey:)``.
    public var data: [String: String]?
    /// Write-only plain-text values the server folds into `data`.
    public var stringData: [String: String]?
    /// `Opaque`, `kubernetes.io/tls`, `kubernetes.io/dockerconfigjson`, …
    public var type: String?
    public var immutable: Bool?

    public init(metadata: ObjectMeta = ObjectMeta(), type: String? = nil) {
        self.metadata = metadata
        self.type = type
    }

    /// `data` decoded from base64 (entries that are not valid base64 are left out).
    public var decodedData: [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for (k, v) in data ?? [:] {
            if let bytes = Data(base64Encoded: v, options: .ignoreUnknownCharacters) { out[k] = [UInt8](bytes) }
        }
        return out
    }

    /// A value of `data` as UTF-8 text.
    public func string(forKey key: String) -> String? {
        decodedData[key].map { String(decoding: $0, as: UTF8.self) }
    }

    /// Sets a `data` entry, base64-encoding it.
    public mutating func setData(_ bytes: [UInt8], forKey key: String) {
        var d = data ?? [:]
        d[key] = Data(bytes).base64EncodedString()
        data = d
    }
}

// MARK: - Namespace, Node, ServiceAccount

public struct Namespace: KubeObject, Hashable {
    public static let apiVersion = "v1"
    public static let kind = "Namespace"
    public static let plural = "namespaces"
    public static let namespaced = false

    public struct Spec: Codable, Sendable, Hashable, DefaultConstructible {
        public var finalizers: [String]?
        public init() {}
    }

    public struct Status: Codable, Sendable, Hashable, DefaultConstructible {
        /// `Active` or `Terminating`.
        public var phase: String?
        public var conditions: [Condition]?
        public init() {}
    }

    @Defaulted public var metadata: ObjectMeta
    @Defaulted public var spec: Spec
    @Defaulted public var status: Status

    public init(metadata: ObjectMeta = ObjectMeta()) { self.metadata = metadata }
}

public struct Node: KubeObject, Hashable {
    public static let apiVersion = "v1"
    public static let kind = "Node"
    public static let plural = "nodes"
    public static let namespaced = false

    @Defaulted public var metadata: ObjectMeta
    @Defaulted public var spec: NodeSpec
    @Defaulted public var status: NodeStatus

    public init(metadata: ObjectMeta = ObjectMeta(), spec: NodeSpec = NodeSpec(), status: NodeStatus = NodeStatus()) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public var isReady: Bool { status.conditions?.isTrue("Ready") ?? false }
}

public struct NodeSpec: Codable, Sendable, Hashable, DefaultConstructible {
    public struct Taint: Codable, Sendable, Hashable {
        public var key: String
        public var value: String?
        /// `NoSchedule`, `PreferNoSchedule`, `NoExecute`.
        public var effect: String
        public var timeAdded: KubeTime?
        public init(key: String, value: String? = nil, effect: String) {
            self.key = key
            self.value = value
            self.effect = effect
        }
    }

    public var podCIDR: String?
    public var podCIDRs: [String]?
    public var providerID: String?
    public var unschedulable: Bool?
    public var taints: [Taint]?

    public init() {}
}

public struct NodeStatus: Codable, Sendable, Hashable, DefaultConstructible {
    public struct Address: Codable, Sendable, Hashable {
        /// `InternalIP`, `ExternalIP`, `Hostname`, …
        public var type: String
        public var address: String
        public init(type: String, address: String) {
            self.type = type
            self.address = address
        }
    }

    public struct SystemInfo: Codable, Sendable, Hashable {
        public var machineID: String?
        public var kernelVersion: String?
        public var osImage: String?
        public var containerRuntimeVersion: String?
        public var kubeletVersion: String?
        public var kubeProxyVersion: String?
        public var operatingSystem: String?
        public var architecture: String?
        public init() {}
    }

    public var capacity: [String: Quantity]?
    public var allocatable: [String: Quantity]?
    public var conditions: [Condition]?
    public var addresses: [Address]?
    public var nodeInfo: SystemInfo?
    public var phase: String?

    public init() {}
}

public struct ServiceAccount: KubeObject, Hashable {
    public static let apiVersion = "v1"
    public static let kind = "ServiceAccount"
    public static let plural = "serviceaccounts"
    public static let namespaced = true

    @Defaulted public var metadata: ObjectMeta
    public var secrets: [ObjectReference]?
    public var imagePullSecrets: [LocalObjectReference]?
    public var automountServiceAccountToken: Bool?

    public init(metadata: ObjectMeta = ObjectMeta()) { self.metadata = metadata }
}
