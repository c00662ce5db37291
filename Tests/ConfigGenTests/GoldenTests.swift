import Foundation
import KubeClient
import Testing

@testable import ConfigGen

/// The output of every example, byte for byte. `OPSAGENT_UPDATE_GOLDEN=1 swift test
/// --filter ConfigGenTests` rewrites the files after an intended change (review the diff).
@Suite("generate: golden files")
struct GoldenTests {
    static let golden = repositoryRoot.appendingPathComponent("Tests/ConfigGenTests/Golden")

    @Test("Each example generates exactly its golden file, with and without --explain")
    func examplesMatchTheirGoldenFiles() throws {
        let examples = try exampleRequirements()
        #expect(examples.map(\.name) == ["blue-green.yaml", "stateful.yaml", "web-app.yaml", "worker.yaml"])
        let update = ProcessInfo.processInfo.environment["OPSAGENT_UPDATE_GOLDEN"] == "1"
        for (name, text) in examples {
            let generated = try ManifestGenerator().generate(yaml: text)
            for explain in [false, true] {
                let output = generated.yaml(explain: explain)
                let file = Self.golden.appendingPathComponent(name.replacingOccurrences(of: ".yaml", with: explain ? ".explain.yaml" : ".yaml"))
                if update { try Data(output.utf8).write(to: file) }
                let expected = try String(contentsOf: file, encoding: .utf8)
                #expect(output == expected, "\(file.lastPathComponent) differs; rerun with OPSAGENT_UPDATE_GOLDEN=1 and review the diff")
            }
        }
    }

    @Test("The same requirements give byte-identical output, in YAML or JSON, whatever their key order")
    func outputIsStable() throws {
        for (_, text) in try exampleRequirements() {
            let document = try YAML.decode(text)
            let fromYAML = try ManifestGenerator().generate(yaml: text).yaml(explain: true)
            // The same document as JSON, and as JSON with every mapping's keys reversed.
            let json = document.serialized(pretty: true)
            #expect(try ManifestGenerator().generate(yaml: json).yaml(explain: true) == fromYAML)
            #expect(try ManifestGenerator().generate(yaml: Self.reversedKeys(document)).yaml(explain: true) == fromYAML)
            #expect(try ManifestGenerator().generate(yaml: text).yaml(explain: true) == fromYAML)
        }
    }

    /// `value` as JSON text with the members of every object written in reverse order.
    static func reversedKeys(_ value: JSONValue) -> String {
        switch value {
        case .object(let members):
            "{" + members.keys.sorted().reversed().map { JSONValue.string($0).description + ":" + reversedKeys(members[$0]!) }
                .joined(separator: ",") + "}"
        case .array(let items): "[" + items.map(reversedKeys).joined(separator: ",") + "]"
        default: value.description
        }
    }

    @Test("The YAML reads back as exactly the generated objects, comments and all")
    func outputRoundTrips() throws {
        for (name, text) in try exampleRequirements() {
            let generated = try ManifestGenerator().generate(yaml: text)
            for explain in [false, true] {
                #expect(try YAML.decodeAll(generated.yaml(explain: explain)) == generated.objects, "\(name)")
            }
        }
    }

    @Test("-o DIR writes one file per object and a kustomization listing them in apply order")
    func kustomizeFolder() throws {
        let text = try #require(try exampleRequirements().first { $0.name == "web-app.yaml" }).text
        let generated = try ManifestGenerator().generate(yaml: text)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("generate-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: folder) }
        let written = try generated.write(to: folder, explain: true)
        #expect(written.count == generated.manifests.count + 1)
        let kustomization = try YAML.decode(String(contentsOf: folder.appendingPathComponent("kustomization.yaml"), encoding: .utf8))
        let resources = kustomization["resources"].arrayValue?.compactMap(\.stringValue) ?? []
        #expect(resources == ["serviceaccount-storefront.yaml", "configmap-storefront-env.yaml", "deployment-storefront.yaml",
                              "service-storefront.yaml", "ingress-storefront.yaml", "networkpolicy-storefront.yaml",
                              "horizontalpodautoscaler-storefront.yaml", "poddisruptionbudget-storefront.yaml"])
        for (file, object) in zip(resources, generated.objects) {
            #expect(try YAML.decode(String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)) == object)
        }
    }
}
