import Foundation
import KubeClient

@testable import ConfigGen

/// The repository's root folder.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The example requirement files of `examples/generate/`, by file name.
func exampleRequirements() throws -> [(name: String, text: String)] {
    let folder = repositoryRoot.appendingPathComponent("examples/generate")
    return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted().map {
        ($0, try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8))
    }
}

/// The issues `text` is refused with (empty when it is accepted).
func issues(_ text: String) -> [RequirementIssue] {
    do {
        _ = try ManifestGenerator().generate(yaml: text)
        return []
    } catch {
        return error.issues
    }
}

let minimal = """
    name: app
    image: registry.example/app:1.0
    ports: [{name: http, port: 8080}]

    """
