import Foundation
import KubeClient
import Testing
import TestSupport

/// The Argo CD health check in manifests/argocd, run by real Lua interpreters (Debian's lua5.1,
/// the language of Argo CD's gopher-lua, and lua5.4) against the kstatus cases.
@Suite("Argo CD health check")
struct ArgoCDHealthTests {
    static let kinds = ["BlueGreenDeployment", "AlertRule", "SecurityAudit", "OpsWorkflow"]
    static let script = repositoryFile("manifests/argocd/health.lua")

    static func condition(_ type: String, _ status: String, reason: String = "Reason", message: String = "") -> JSONValue {
        ["type": .string(type), "status": .string(status), "reason": .string(reason), "message": .string(message)]
    }

    static func object(generation: Int64 = 2, observed: Int64? = 2, deleting: Bool = false, _ conditions: [JSONValue]?)
        -> JSONValue
    {
        var object: JSONValue = [
            "apiVersion": "opsagent.dev/v1alpha1", "kind": "BlueGreenDeployment",
            "metadata": ["name": "web", "namespace": "shop", "generation": .int(generation)],
        ]
        if deleting { object["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z" }
        if observed != nil || conditions != nil {
            var status: JSONValue = .emptyObject
            if let observed { status["observedGeneration"] = .int(observed) }
            if let conditions { status["conditions"] = .array(conditions) }
            object["status"] = status
        }
        return object
    }

    /// (case, object, expected status, expected message or nil for any).
    static let cases: [(String, JSONValue, String, String?)] = [
        ("terminating", object(deleting: true, [condition("Ready", "True")]), "Progressing", "Terminating"),
        ("spec not observed yet", object(generation: 3, observed: 2, [condition("Ready", "True")]), "Progressing",
         "the controller has observed generation 2 of 3"),
        ("reconciling", object([condition("Ready", "False"), condition("Reconciling", "True", reason: "RolloutInProgress",
                                                                         message: "analysing revision 5d4f")]),
         "Progressing", "analysing revision 5d4f"),
        ("reconciling wins over stalled",
         object([condition("Reconciling", "True", reason: "Rollout"), condition("Stalled", "True", message: "x")]),
         "Progressing", "Rollout"),
        ("stalled", object([condition("Ready", "False"), condition("Stalled", "True", reason: "RolledBack",
                                                                     message: "analysis failed: error-rate")]),
         "Degraded", "analysis failed: error-rate"),
        ("stalled wins over ready", object([condition("Ready", "True"), condition("Stalled", "True", reason: "InvalidSpec")]),
         "Degraded", "InvalidSpec"),
        ("ready", object([condition("Ready", "True", reason: "Healthy", message: "revision 5d4f serves traffic"),
                          condition("Reconciling", "False"), condition("Stalled", "False")]),
         "Healthy", "revision 5d4f serves traffic"),
        ("not ready", object([condition("Ready", "False", reason: "Progressing", message: "2/3 pods ready")]),
         "Progressing", "2/3 pods ready"),
        ("ready unknown", object([condition("Ready", "Unknown", reason: "Starting")]), "Progressing", "Starting"),
        ("no status yet", object(observed: nil, nil), "Progressing", nil),
        ("no conditions", object([]), "Progressing", nil),
    ]

    static var interpreters: [String] {
        ["/usr/bin/lua5.1", "/usr/bin/lua5.4"].filter { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test("every kstatus case gets its Argo CD health, in every Lua interpreter installed")
    func kstatusCases() async throws {
        let interpreters = Self.interpreters
        try #require(!interpreters.isEmpty, "no Lua interpreter: run scripts/install-deps.sh (lua5.1, lua5.4)")
        var driver = "local check = assert(loadfile(\(Self.luaString(Self.script))))\n"
        for (name, object, _, _) in Self.cases {
            driver += "obj = \(Self.lua(object))\n"
            driver += "local hs = check()\nio.write(\(Self.luaString(name)), \"\\t\", hs.status, \"\\t\", hs.message or \"\", \"\\n\")\n"
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("argocd-health-\(UUID().uuidString).lua")
        try driver.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        for interpreter in interpreters {
            let result = try await ProcessRunner.run(interpreter, [file.path])
            #expect(result.status == 0, "\(interpreter): \(result.stderr)")
            let lines = result.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
            #expect(lines.count == Self.cases.count, "\(interpreter): \(result.stdout)")
            for ((name, _, status, message), line) in zip(Self.cases, lines) {
                #expect(line.count == 3 && String(line[1]) == status, "\(interpreter) \(name): \(line)")
                if let message, line.count == 3 { #expect(String(line[2]) == message, "\(interpreter) \(name): \(line)") }
                if line.count == 3 { #expect(!line[2].isEmpty, "\(interpreter) \(name): every health has a message") }
            }
        }
    }

    @Test("argocd-cm carries the script for each of the four kinds, unchanged")
    func configMapCarriesTheScript() throws {
        let script = try String(contentsOfFile: Self.script, encoding: .utf8)
        let configMap = try YAML.decode(String(contentsOfFile: repositoryFile("manifests/argocd/argocd-cm-health.yaml"), encoding: .utf8))
        #expect(configMap["metadata"]["name"] == "argocd-cm")
        for kind in Self.kinds {
            #expect(configMap["data"]["resource.customizations.health.opsagent.dev_\(kind)"].stringValue == script,
                    "the \(kind) entry differs from manifests/argocd/health.lua")
        }
        #expect(configMap["data"].objectValue?.count == Self.kinds.count)
    }

    // MARK: JSON → Lua

    static func luaString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\%03d", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    /// A Lua table constructor for a JSON value, as Argo CD hands objects to health scripts.
    static func lua(_ value: JSONValue) -> String {
        switch value {
        case .null: return "nil"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return luaString(s)
        case .array(let items): return "{" + items.map(lua).joined(separator: ", ") + "}"
        case .object(let members):
            return "{" + members.sorted { $0.key < $1.key }.filter { $0.value != .null }
                .map { "[\(luaString($0.key))] = \(lua($0.value))" }.joined(separator: ", ") + "}"
        }
    }
}
