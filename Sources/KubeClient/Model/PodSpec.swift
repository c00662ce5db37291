/// `core/v1 PodTemplateSpec`: the pods a workload stamps out.
public struct PodTemplateSpec: Codable, Sendable, Hashable, DefaultConstructible {
    @Defaulted public var metadata: ObjectMeta
    @Defaulted public var spec: PodSpec

    public init() {}
    public init(metadata: ObjectMeta, spec: PodSpec) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// `core/v1 PodSpec`: the fields an operator reads and writes; others survive merges.
public struct PodSpec: Codable, Sendable, Hashable, DefaultConstructible {
    @Defaulted public var containers: [Container]
    public var initContainers: [Container]?
    public var volumes: [Volume]?
    public var serviceAccountName: String?
    public var automountServiceAccountToken: Bool?
    public var nodeName: String?
    public var nodeSelector: [String: String]?
    public var restartPolicy: String?
    public var terminationGracePeriodSeconds: Int64?
    public var activeDeadlineSeconds: Int64?
    public var dnsPolicy: String?
    public var hostNetwork: Bool?
    public var hostPID: Bool?
    public var hostIPC: Bool?
    public var priorityClassName: String?
    public var schedulerName: String?
    public var imagePullSecrets: [LocalObjectReference]?
    public var securityContext: JSONValue?
    public var affinity: JSONValue?
    public var tolerations: [Toleration]?
    public var topologySpreadConstraints: JSONValue?

    public init() {}
    public init(containers: [Container]) { self.containers = containers }
}

/// `core/v1 Container`.
public struct Container: Codable, Sendable, Hashable {
    @Defaulted public var name: String
    public var image: String?
    public var imagePullPolicy: String?
    public var command: [String]?
    public var args: [String]?
    public var workingDir: String?
    public var env: [EnvVar]?
    public var envFrom: JSONValue?
    public var ports: [ContainerPort]?
    public var resources: ResourceRequirements?
    public var livenessProbe: Probe?
    public var readinessProbe: Probe?
    public var startupProbe: Probe?
    public var volumeMounts: [VolumeMount]?
    public var securityContext: SecurityContext?
    public var lifecycle: JSONValue?
    public var terminationMessagePolicy: String?
    public var stdin: Bool?
    public var tty: Bool?

    public init(name: String, image: String? = nil) {
        self.name = name
        self.image = image
    }

    /// The value of an environment variable set literally.
    public func envValue(_ name: String) -> String? { env?.first { $0.name == name }?.value }
}

/// `core/v1 EnvVar`: a literal `value`, or `valueFrom` (kept raw: secretKeyRef, fieldRef, …).
public struct EnvVar: Codable, Sendable, Hashable {
    public var name: String
    public var value: String?
    public var valueFrom: JSONValue?

    public init(name: String, value: String? = nil, valueFrom: JSONValue? = nil) {
        self.name = name
        self.value = value
        self.valueFrom = valueFrom
    }
}

/// `core/v1 ContainerPort`.
public struct ContainerPort: Codable, Sendable, Hashable {
    public var name: String?
    public var containerPort: Int
    public var `protocol`: String?
    public var hostPort: Int?
    public var hostIP: String?

    public init(name: String? = nil, containerPort: Int, protocol: String? = nil) {
        self.name = name
        self.containerPort = containerPort
        self.protocol = `protocol`
    }
}

/// `core/v1 ResourceRequirements`: `cpu`, `memory`, … as quantities.
public struct ResourceRequirements: Codable, Sendable, Hashable, DefaultConstructible {
    public var limits: [String: Quantity]?
    public var requests: [String: Quantity]?
    public var claims: JSONValue?

    public init() {}
    public init(limits: [String: Quantity]? = nil, requests: [String: Quantity]? = nil) {
        self.limits = limits
        self.requests = requests
    }
}

/// `core/v1 Probe`: one handler (HTTP GET, TCP, exec, gRPC) and its timing.
public struct Probe: Codable, Sendable, Hashable, DefaultConstructible {
    public struct HTTPGet: Codable, Sendable, Hashable {
        public struct Header: Codable, Sendable, Hashable {
            public var name: String
            public var value: String
            public init(name: String, value: String) {
                self.name = name
                self.value = value
            }
        }
        public var path: String?
        public var port: IntOrString
        public var host: String?
        public var scheme: String?
        public var httpHeaders: [Header]?

        public init(path: String? = nil, port: IntOrString, scheme: String? = nil) {
            self.path = path
            self.port = port
            self.scheme = scheme
        }
    }

    public struct TCPSocket: Codable, Sendable, Hashable {
        public var port: IntOrString
        public var host: String?
        public init(port: IntOrString) { self.port = port }
    }

    public struct Exec: Codable, Sendable, Hashable {
        public var command: [String]?
        public init(command: [String]) { self.command = command }
    }

    public struct GRPC: Codable, Sendable, Hashable {
        public var port: Int
        public var service: String?
        public init(port: Int, service: String? = nil) {
            self.port = port
            self.service = service
        }
    }

    public var httpGet: HTTPGet?
    public var tcpSocket: TCPSocket?
    public var exec: Exec?
    public var grpc: GRPC?
    public var initialDelaySeconds: Int?
    public var periodSeconds: Int?
    public var timeoutSeconds: Int?
    public var successThreshold: Int?
    public var failureThreshold: Int?
    public var terminationGracePeriodSeconds: Int64?

    public init() {}
}

/// `core/v1 VolumeMount`.
public struct VolumeMount: Codable, Sendable, Hashable {
    public var name: String
    public var mountPath: String
    public var readOnly: Bool?
    public var subPath: String?

    public init(name: String, mountPath: String, readOnly: Bool? = nil, subPath: String? = nil) {
        self.name = name
        self.mountPath = mountPath
        self.readOnly = readOnly
        self.subPath = subPath
    }
}

/// `core/v1 Volume`: the common sources typed, others kept raw by the merge.
public struct Volume: Codable, Sendable, Hashable {
    public struct ConfigMapSource: Codable, Sendable, Hashable {
        public var name: String?
        public var defaultMode: Int?
        public var optional: Bool?
        public var items: JSONValue?
        public init(name: String) { self.name = name }
    }

    public struct SecretSource: Codable, Sendable, Hashable {
        public var secretName: String?
        public var defaultMode: Int?
        public var optional: Bool?
        public var items: JSONValue?
        public init(secretName: String) { self.secretName = secretName }
    }

    public struct PVCSource: Codable, Sendable, Hashable {
        public var claimName: String
        public var readOnly: Bool?
        public init(claimName: String) { self.claimName = claimName }
    }

    public var name: String
    public var configMap: ConfigMapSource?
    public var secret: SecretSource?
    public var emptyDir: JSONValue?
    public var persistentVolumeClaim: PVCSource?
    public var hostPath: JSONValue?
    public var projected: JSONValue?
    public var downwardAPI: JSONValue?

    public init(name: String) { self.name = name }
}

/// `core/v1 SecurityContext` (container level): the hardening fields a security audit reads.
public struct SecurityContext: Codable, Sendable, Hashable, DefaultConstructible {
    public struct Capabilities: Codable, Sendable, Hashable {
        public var add: [String]?
        public var drop: [String]?
        public init(add: [String]? = nil, drop: [String]? = nil) {
            self.add = add
            self.drop = drop
        }
    }

    public var privileged: Bool?
    public var runAsNonRoot: Bool?
    public var runAsUser: Int64?
    public var runAsGroup: Int64?
    public var readOnlyRootFilesystem: Bool?
    public var allowPrivilegeEscalation: Bool?
    public var capabilities: Capabilities?
    public var seccompProfile: JSONValue?

    public init() {}
}

/// `core/v1 Toleration`.
public struct Toleration: Codable, Sendable, Hashable {
    public var key: String?
    public var `operator`: String?
    public var value: String?
    public var effect: String?
    public var tolerationSeconds: Int64?

    public init(key: String? = nil, operator: String? = nil, value: String? = nil, effect: String? = nil) {
        self.key = key
        self.operator = `operator`
        self.value = value
        self.effect = effect
    }
}
