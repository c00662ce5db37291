import KubeClient

/// Reads a requirements document (YAML or JSON) into ``WorkloadRequirements``, strictly:
/// unknown fields, wrong types, bad names, bad quantities and contradictions are all
/// reported at once, each with its field path and a hint, as ``InvalidRequirements``.
///
/// ```swift
/// let requirements = try RequirementsReader.read(yaml: text)
/// let manifests = try ManifestGenerator().generate(requirements)
/// ```
public enum RequirementsReader {
    /// Derived objects add up to 16 characters (`-default-deny`, `-preview`) to the name
    /// and must stay DNS labels of 63.
    public static let maxNameLength = 47

    static let topLevel = ["name", "namespace", "type", "image", "environment", "replicas", "ports", "env", "config",
                           "secrets", "resources", "scaling", "exposure", "storage", "rollout", "health", "egress",
                           "runAsUser", "partOf"]

    /// Reads a YAML (or JSON, which is YAML) document.
    public static func read(yaml text: String) throws(InvalidRequirements) -> WorkloadRequirements {
        let document: JSONValue
        do {
            document = try YAML.decode(text)
        } catch {
            throw InvalidRequirements(issues: [RequirementIssue(
                field: "(document)", problem: "is not YAML or JSON (\(error))", hint: "fix the syntax at the line named")])
        }
        return try read(document)
    }

    /// Reads an already parsed document.
    public static func read(_ document: JSONValue) throws(InvalidRequirements) -> WorkloadRequirements {
        let log = IssueLog()
        guard let root = FieldReader(document, path: "", log: log, allowed: topLevel) else {
            try log.throwIfAny()
            fatalError("FieldReader reports every non-object")
        }
        let name = root.string("name", required: true, hint: "name the workload, e.g. `name: checkout`") ?? ""
        if !name.isEmpty && !Validators.isDNSLabel(name, maxLength: maxNameLength) {
            log.add("name", "\"\(name)\" is not a DNS-1123 label of at most \(maxNameLength) characters",
                    hint: "use lowercase letters, digits and '-', starting and ending with a letter or digit")
        }
        let image = root.string("image", required: true, hint: "give the image with a tag or digest, e.g. `registry.example/shop:1.4.2`") ?? ""
        if !image.isEmpty, let problem = ImageName(image).problem {
            log.add("image", "\"\(image)\" \(problem)", hint: "pin a version tag (shop:1.4.2) or better a digest (shop@sha256:…)")
        }
        var requirements = WorkloadRequirements(name: name, image: image)
        if let namespace = root.string("namespace") {
            if Validators.isDNSLabel(namespace) { requirements.namespace = namespace } else {
                log.add("namespace", "\"\(namespace)\" is not a DNS-1123 label", hint: "use lowercase letters, digits and '-'")
            }
        }
        if let type = root.choice("type", WorkloadType.allCases.map(\.rawValue)) { requirements.type = WorkloadType(rawValue: type)! }
        if let environment = root.choice("environment", DeploymentEnvironment.allCases.map(\.rawValue)) {
            requirements.environment = DeploymentEnvironment(rawValue: environment)!
        }
        requirements.replicas = root.int("replicas", in: 0...1000)
        requirements.runAsUser = root.int("runAsUser", in: 1...2_147_483_647, hint: "a non-zero UID, 10000 or above avoids host users")
        if let partOf = root.string("partOf") {
            if Validators.isDNSLabel(partOf) { requirements.partOf = partOf } else {
                log.add("partOf", "\"\(partOf)\" is not a DNS-1123 label", hint: "use lowercase letters, digits and '-'")
            }
        }
        requirements.ports = readPorts(root, log)
        readEnv(root, log, into: &requirements)
        readConfigAndSecrets(root, log, into: &requirements)
        requirements.resources = readResources(root, log)
        requirements.scaling = readScaling(root, log)
        requirements.exposure = readExposure(root, log)
        requirements.storage = readStorage(root, log)
        requirements.rollout = readRollout(root, log)
        requirements.health = readHealth(root, log)
        requirements.egress = readEgress(root, log)
        try log.throwIfAny()
        Consistency.check(requirements, log)
        try log.throwIfAny()
        return requirements
    }

    static let protocols = ["TCP", "UDP", "SCTP"]

    static func readPorts(_ root: FieldReader, _ log: IssueLog) -> [PortRequirement] {
        var ports: [PortRequirement] = []
        for (value, path) in root.list("ports") {
            guard let item = FieldReader(value, path: path, log: log, allowed: ["name", "port", "protocol"]) else { continue }
            guard let port = item.int("port", in: 1...65535) else {
                if !item.has("port") { log.add(item.child("port"), "is required", hint: "give the container port, e.g. 8080") }
                continue
            }
            let name = item.string("name") ?? (ports.isEmpty ? "http" : "port-\(port)")
            if !Validators.isPortName(name) {
                log.add(item.child("name"), "\"\(name)\" is not a port name",
                        hint: "at most 15 lowercase letters, digits and '-', with at least one letter (e.g. http, grpc)")
            }
            let proto = item.choice("protocol", protocols) ?? "TCP"
            if ports.contains(where: { $0.name == name }) {
                log.add(item.child("name"), "\"\(name)\" is used by another port", hint: "give each port its own name")
            }
            if ports.contains(where: { $0.port == port && $0.protocol == proto }) {
                log.add(item.child("port"), "\(port)/\(proto) is declared twice", hint: "remove the duplicate")
            }
            ports.append(PortRequirement(name: name, port: port, protocol: proto))
        }
        return ports
    }

    static func readEnv(_ root: FieldReader, _ log: IssueLog, into requirements: inout WorkloadRequirements) {
        for (key, value, path) in root.entries("env") {
            if !Validators.isEnvName(key) {
                log.add(path, "\"\(key)\" is not a valid variable name", hint: "use letters, digits and '_', not starting with a digit")
            }
            if value.objectValue != nil {
                guard let ref = FieldReader(value, path: path, log: log, allowed: ["secret", "key"]) else { continue }
                let secret = ref.string("secret", required: true, hint: "name the Secret that holds the value") ?? ""
                let secretKey = ref.string("key", required: true, hint: "name the key inside the Secret") ?? ""
                if !secret.isEmpty && !Validators.isDNSSubdomain(secret) {
                    log.add(ref.child("secret"), "\"\(secret)\" is not a Secret name", hint: "use a DNS-1123 name")
                }
                if !secretKey.isEmpty && !Validators.isConfigKey(secretKey) {
                    log.add(ref.child("key"), "\"\(secretKey)\" is not a Secret key", hint: "use letters, digits, '-', '_' and '.'")
                }
                requirements.env[key] = .secret(name: secret, key: secretKey)
                continue
            }
            let literal: String
            switch value {
            case .string(let s): literal = s
            case .int, .double, .bool: literal = value.description
            default:
                log.add(path, "must be a literal value or {secret, key}", hint: "write `\(key): value` or `\(key): {secret: name, key: key}`")
                continue
            }
            if Validators.looksLikeCredential(name: key) {
                // The value is deliberately not repeated.
                log.add(path, "holds a literal value but its name says it is a credential (the value is not shown)",
                        hint: "store it in a Secret and write `\(key): {secret: <secret name>, key: <key>}`")
                continue
            }
            requirements.env[key] = .literal(literal)
        }
    }

    static func readConfigAndSecrets(_ root: FieldReader, _ log: IssueLog, into requirements: inout WorkloadRequirements) {
        for (key, value, path) in root.entries("config") {
            if !Validators.isConfigKey(key) {
                log.add(path, "\"\(key)\" is not a file name a ConfigMap accepts", hint: "use letters, digits, '-', '_' and '.'")
            }
            guard let content = value.stringValue else {
                log.add(path, "must be the file's content as a string", hint: "use a `|` block for multi-line content")
                continue
            }
            requirements.configFiles[key] = content
        }
        for (value, path) in root.list("secrets") {
            if let name = value.stringValue { appendSecret(name, nil, path, log, &requirements); continue }
            guard let item = FieldReader(value, path: path, log: log, allowed: ["name", "mountPath"]) else { continue }
            let name = item.string("name", required: true, hint: "name the Secret to mount") ?? ""
            appendSecret(name, item.string("mountPath"), path, log, &requirements)
        }
    }

    static func appendSecret(_ name: String, _ mountPath: String?, _ path: String, _ log: IssueLog,
                             _ requirements: inout WorkloadRequirements) {
        if !name.isEmpty && !Validators.isDNSLabel(name) {
            log.add(path, "\"\(name)\" is not a Secret name usable as a volume", hint: "use a DNS-1123 label")
        }
        if let mountPath, !Validators.isAbsolutePath(mountPath) {
            log.add(path + ".mountPath", "\"\(mountPath)\" is not an absolute path", hint: "start it with /, without '..'")
        }
        if requirements.secretMounts.contains(where: { $0.name == name }) {
            log.add(path, "Secret \(name) is listed twice", hint: "remove the duplicate")
        }
        requirements.secretMounts.append(SecretMount(name: name, mountPath: mountPath))
    }
}
