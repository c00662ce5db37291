import Foundation
import Testing
import KubeClient
@testable import OpsAPI

/// `crds/` is generated from the Swift types; this fails when someone changes one without the other.
@Suite struct CRDDriftTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: OpsAPI.customResourceDefinitions.map(\.name))
    func checkedInCRDMatchesTheTypes(_ name: String) throws {
        let crd = try #require(OpsAPI.customResourceDefinitions.first { $0.name == name })
        let path = Self.repositoryRoot.appendingPathComponent("crds").appendingPathComponent(OpsAPI.fileName(for: crd)).path
        let onDisk = try? String(contentsOfFile: path, encoding: .utf8)
        #expect(onDisk == (try crd.yaml()), "crds/\(OpsAPI.fileName(for: crd)) is out of date: run `make crds` and commit the result")
    }

    @Test func everyCRDFileIsGenerated() throws {
        let dir = Self.repositoryRoot.appendingPathComponent("crds").path
        let files = Set((try FileManager.default.contentsOfDirectory(atPath: dir)).filter { $0.hasSuffix(".yaml") })
        #expect(files == Set(OpsAPI.customResourceDefinitions.map(OpsAPI.fileName(for:))),
                "crds/ holds files no type generates (or lacks some): run `make crds`")
    }

    @Test func theCRDIsStructuralAndComplete() throws {
        let crd = BlueGreenDeployment.definition.json
        #expect(crd["spec"]["names"]["shortNames"] == ["bgd"])
        let version = crd["spec"]["versions"][0]
        #expect(version["subresources"]["status"] == .emptyObject)
        #expect(version["subresources"]["scale"]["specReplicasPath"] == ".spec.replicas")
        let columns = version["additionalPrinterColumns"].arrayValue?.compactMap { $0["name"].stringValue } ?? []
        #expect(Array(columns.prefix(4)) == ["Phase", "Active", "Ready", "Analysis"])
        #expect(columns.last == "Age")
        // Structural: every property node has a type, or is int-or-string / preserve-unknown-fields.
        func untyped(_ node: JSONValue, _ path: String) -> [String] {
            var found: [String] = []
            if node["type"].isNull, node["x-kubernetes-int-or-string"] != true, node["x-kubernetes-preserve-unknown-fields"] != true {
                found.append(path)
            }
            for (name, child) in node["properties"].objectValue ?? [:] { found += untyped(child, "\(path).\(name)") }
            if !node["items"].isNull { found += untyped(node["items"], "\(path)[]") }
            return found
        }
        #expect(untyped(version["schema"]["openAPIV3Schema"], "") == [])
        // Every spec field is documented.
        for (name, field) in version["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"].objectValue ?? [:] {
            #expect(!(field["description"].stringValue ?? "").isEmpty, "spec.\(name) has no description")
        }
    }
}
