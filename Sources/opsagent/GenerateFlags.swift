import ArgumentParser
import KubeClient

/// The flags of `opsagent generate`, written into the requirements document under the
/// field they stand for, so they are validated (and errors named) exactly as the file is.
extension Generate {
    func applyFlags(to document: inout JSONValue) throws {
        guard document.objectValue != nil else { return }   // the reader reports the non-mapping
        let scalars: [(String, String?)] = [
            ("name", name), ("namespace", namespace), ("image", image), ("type", type), ("environment", environment),
        ]
        for (key, value) in scalars { if let value { document[key] = .string(value) } }
        if let replicas { document["replicas"] = .int(Int64(replicas)) }
        if !ports.isEmpty { document["ports"] = .array(try ports.map(Self.port)) }
        for entry in envs {
            let (key, value) = try Self.pair(entry, flag: "--env")
            document[path: ["env", key]] = .string(value)
        }
        for entry in secretEnvs {
            let (key, reference) = try Self.pair(entry, flag: "--secret-env")
            let parts = reference.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--secret-env \(entry): write NAME=SECRET/KEY") }
            document[path: ["env", key]] = ["secret": .string(parts[0]), "key": .string(parts[1])]
        }
        if !secrets.isEmpty { document["secrets"] = .array(secrets.map { ["name": .string($0)] }) }
        if let size { document["resources"] = ["size": .string(size)] }
        let quantities: [([String], String?)] = [
            (["resources", "requests", "cpu"], cpu), (["resources", "requests", "memory"], memory),
            (["resources", "limits", "cpu"], cpuLimit), (["resources", "limits", "memory"], memoryLimit),
        ]
        for (path, value) in quantities { if let value { document[path: path] = .string(value) } }
        let numbers: [([String], Int?)] = [
            (["scaling", "min"], minReplicas), (["scaling", "max"], maxReplicas), (["scaling", "cpuTarget"], cpuTarget),
        ]
        for (path, value) in numbers { if let value { document[path: path] = .int(Int64(value)) } }
        let strings: [([String], String?)] = [
            (["exposure", "type"], expose), (["exposure", "host"], host), (["exposure", "tlsSecret"], tlsSecret),
            (["storage", "size"], storage), (["storage", "accessMode"], accessMode), (["rollout", "strategy"], strategy),
            (["health", "liveness"], liveness), (["health", "readiness"], readiness),
        ]
        for (path, value) in strings {
            guard let value else { continue }
            if path[0] == "exposure", let shorthand = document["exposure"].stringValue { document["exposure"] = ["type": .string(shorthand)] }
            document[path: path] = .string(value)
        }
    }

    static func pair(_ entry: String, flag: String) throws -> (String, String) {
        guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
            throw ValidationError("\(flag) \(entry): write NAME=VALUE")
        }
        return (String(entry[..<equals]), String(entry[entry.index(after: equals)...]))
    }

    /// `8080`, `http:8080` or `http:8080/TCP`.
    static func port(_ text: String) throws -> JSONValue {
        var rest = Substring(text)
        var item: JSONValue = [:]
        if let slash = rest.firstIndex(of: "/") {
            item["protocol"] = .string(rest[rest.index(after: slash)...].uppercased())
            rest = rest[..<slash]
        }
        if let colon = rest.firstIndex(of: ":") {
            item["name"] = .string(String(rest[..<colon]))
            rest = rest[rest.index(after: colon)...]
        }
        guard let number = Int(rest) else { throw ValidationError("--port \(text): write PORT, NAME:PORT or NAME:PORT/PROTOCOL") }
        item["port"] = .int(Int64(number))
        return item
    }
}
