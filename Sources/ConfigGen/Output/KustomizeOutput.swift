import Foundation
import KubeClient

/// `opsagent generate -o DIR`: one file per object and a `kustomization.yaml` listing them
/// in apply order, so `kubectl apply -k DIR` (or a GitOps tool) takes the folder as it is.
extension GeneratedManifests {
    public static let kustomizationFile = "kustomization.yaml"

    /// The files of the folder, by name: the objects' files and the kustomization.
    public func files(explain: Bool = false) -> [(name: String, content: String)] {
        var files = manifests.map { manifest in
            (manifest.fileName, YAMLWriter.document(manifest.object, comments: explain ? manifest.explanations : [:]))
        }
        let kustomization: JSONValue = [
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "resources": .array(manifests.map { .string($0.fileName) }),
        ]
        files.append((Self.kustomizationFile, header.map { "# " + $0 + "\n" }.joined() + YAMLWriter.document(kustomization)))
        return files
    }

    /// Writes ``files(explain:)`` into `directory` (created when missing) and returns their
    /// paths. Other files in the folder are left alone.
    @discardableResult
    public func write(to directory: URL, explain: Bool = false) throws -> [String] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return try files(explain: explain).map { name, content in
            let url = directory.appendingPathComponent(name)
            try Data(content.utf8).write(to: url, options: .atomic)
            return url.path
        }
    }
}
