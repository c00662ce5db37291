import KubeClient
import Testing

@testable import ConfigGen

/// Random requirements, from a seeded generator (so a failure reproduces): whatever the
/// input, generation either refuses it with field paths, or produces objects that keep
/// every restricted-profile field, pass the audit, read back exactly and are stable.
@Suite("generate: properties over random requirements")
struct PropertyTests {
    static let runs = 400

    @Test("No generated workload ever lacks the restricted-profile fields", arguments: [1, 2, 3] as [UInt64])
    func restrictedWhateverTheInput(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        var accepted = 0, blueGreen = 0
        for run in 0..<Self.runs {
            let document = RandomRequirements.document(&random)
            let generated: GeneratedManifests
            do {
                generated = try ManifestGenerator().generate(document: document)
            } catch {
                #expect(!error.issues.isEmpty)
                #expect(error.issues.allSatisfy { !$0.field.isEmpty && !$0.hint.isEmpty }, "seed \(seed) run \(run)")
                continue
            }
            accepted += 1
            if generated.manifests.contains(where: { $0.kind == "BlueGreenDeployment" }) { blueGreen += 1 }
            let context = "seed \(seed) run \(run): \(document)"
            #expect(RestrictedProfile.problems(generated).isEmpty, "\(RestrictedProfile.problems(generated)) — \(context)")
            let serious = generated.audit().findings.filter { $0.severity >= .high }
            #expect(serious.isEmpty, "\(serious.map(\.message)) — \(context)")
            let text = generated.yaml(explain: run % 2 == 0)
            #expect(try YAML.decodeAll(text) == generated.objects, "\(context)")
            #expect(try ManifestGenerator().generate(document: document).yaml(explain: run % 2 == 0) == text, "\(context)")
        }
        // The generator must exercise both outcomes, and blue-green, for the property to mean anything.
        #expect(accepted >= Self.runs / 4, "only \(accepted) of \(Self.runs) accepted")
        #expect(accepted <= Self.runs * 9 / 10, "\(accepted) of \(Self.runs) accepted: invalid inputs are too rare")
        #expect(blueGreen >= 5, "only \(blueGreen) blue-green")
    }
}

/// A small, fast, seedable generator (SplitMix64).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Requirement documents mixing valid values with the mistakes users make.
enum RandomRequirements {
    static let digest = "sha256:" + String(repeating: "ab12", count: 16)
    static let names = ["app", "web-1", "a", "checkout", String(repeating: "x", count: 47), "Bad_Name", "-edge"]
    static let images = ["registry.example/app:1.0", "registry.example:5000/team/app:2.0-rc1", "app@\(digest)",
                         "ghcr.io/org/app:1.2.3@\(digest)", "nginx:latest", "nginx", "Upper/App:1"]
    static let portNames = ["http", "grpc", "metrics", "admin", "web"]
    static let quantities = ["100m", "1", "250m", "2Gi", "128Mi", "0.5", "lots", "-1", "1e3"]
    static let words = ["info", "debug", "http://svc.ns:80/path", "a: b", "# not a comment", "yes", "0755", "1.5", "", "ünïcode",
                        "line one\nline two\n", "  padded", "[x]", "{y}", "@at", "*star", "key=value"]

    static func document(_ r: inout SplitMix64) -> JSONValue {
        func chance(_ percent: UInt64) -> Bool { r.next() % 100 < percent }
        func pick<T>(_ items: [T]) -> T { items[Int(r.next() % UInt64(items.count))] }
        func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(r.next() % UInt64(range.count)) }
        /// Mostly one of `good`, sometimes (5 %) one of `bad`.
        func either(_ good: [String], _ bad: [String]) -> JSONValue { .string(chance(95) ? pick(good) : pick(bad)) }

        var d: JSONValue = ["name": .string(chance(90) ? pick(Array(names.prefix(5))) : pick(names)),
                            "image": .string(chance(90) ? pick(Array(images.prefix(4))) : pick(images))]
        if chance(50) { d["type"] = .string(pick(["web", "api", "worker"])) }
        if chance(60) { d["environment"] = .string(chance(95) ? pick(["dev", "staging", "prod"]) : "production") }
        if chance(30) { d["replicas"] = .number(int(0...5)) }
        if chance(20) { d["runAsUser"] = .number(chance(90) ? int(1...70000) : 0) }
        if chance(3) { d["replica"] = 2 }
        var ports: [JSONValue] = []
        for index in 0..<(chance(85) ? int(1...3) : 0) {
            var port: JSONValue = ["port": .number(chance(95) ? int(1...65535) : 70000)]
            if chance(70) { port["name"] = .string(index < portNames.count ? portNames[index] : "p\(index)") }
            if chance(20) { port["protocol"] = either(["TCP", "UDP"], ["tcp"]) }
            ports.append(port)
        }
        if !ports.isEmpty || chance(10) { d["ports"] = .array(ports) }
        if chance(50) {
            var env: [String: JSONValue] = [:]
            for _ in 0..<int(1...3) {
                env[chance(95) ? pick(["LOG_LEVEL", "MODE", "UPSTREAM_URL", "FEATURE_X"]) : "DB_TOKEN"] = chance(70)
                    ? .string(pick(words)) : ["secret": .string(pick(["db", "api-keys"])), "key": .string(pick(["password", "token"]))]
            }
            d["env"] = .object(env)
        }
        if chance(20) { d["config"] = ["app.yaml": .string(pick(words)), "extra.conf": .string(pick(words))] }
        if chance(20) { d["secrets"] = .array((0..<int(1...2)).map { ["name": .string("s\($0)")] }) }
        if chance(50) {
            d["resources"] = chance(50) ? ["size": either(["small", "medium", "large"], ["huge"])]
                : ["requests": ["cpu": either(["100m", "250m"], quantities), "memory": either(["128Mi", "256Mi"], quantities)],
                   "limits": ["cpu": either(["500m", "1", "2"], quantities), "memory": either(["256Mi", "1Gi"], quantities)]]
        }
        if chance(30) { d["scaling"] = ["min": .number(int(1...3)), "max": .number(int(1...10)), "cpuTarget": .number(int(10...100))] }
        if chance(60) {
            var exposure: JSONValue = ["type": .string(pick(["none", "cluster", "ingress"]))]
            if exposure["type"] == "ingress" || chance(5) {
                if chance(95) { exposure["host"] = either(["shop.example.com", "*.apps.example.com"], ["Bad Host"]) }
                if chance(95) { exposure["tlsSecret"] = "shop-tls" }
                if chance(30) { exposure["ingressClass"] = "nginx" }
            }
            d["exposure"] = exposure
        }
        if chance(20) {
            d["storage"] = ["size": either(["10Gi", "1Ti"], ["ten"]),
                            "accessMode": .string(pick(["ReadWriteOnce", "ReadWriteMany", "ReadOnlyMany"]))]
        }
        if chance(35) {
            var rollout: JSONValue = ["strategy": .string(pick(["rolling", "blue-green", "blue-green"]))]
            if rollout["strategy"] == "blue-green" && chance(50) { rollout["errorRateQuery"] = "sum(rate(errors[1m])) / sum(rate(requests[1m]))" }
            d["rollout"] = rollout
        }
        if chance(60) {
            var health: JSONValue = [:]
            if chance(60) { health["liveness"] = either(["/healthz", "/live"], ["healthz"]) }
            if chance(60) { health["readiness"] = .string(pick(["/readyz", "/ready"])) }
            if chance(20) { health["startup"] = "/started" }
            if chance(30) { health["command"] = ["/app/check", "--quick"] }
            if chance(15) { health["port"] = .string(pick(portNames)) }
            d["health"] = health
        }
        if chance(20) {
            d["egress"] = .array((0..<int(1...2)).map { _ in
                chance(50) ? ["port": .number(int(1...65535))] : ["port": 5432, "cidr": either(["10.0.0.0/8", "192.168.0.0/16"], ["10.0.0.0/99"])]
            })
        }
        return d
    }
}
