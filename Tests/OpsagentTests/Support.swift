import Foundation
import KubeClient
import TestSupport

/// The repository's root folder.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

func repositoryFile(_ path: String) -> String { repositoryRoot.appendingPathComponent(path).path }

/// A condition did not hold before its deadline.
struct DeadlineExceeded: Error, CustomStringConvertible {
    let what: String
    let timeout: Duration
    var description: String { "\(what) did not happen within \(timeout)" }
}

/// Polls `condition` until it holds, failing after `timeout` (real time).
func eventually(
    _ what: String = "the condition", timeout: Duration = .seconds(10), poll: Duration = .milliseconds(50),
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while try await !condition() {
        if ContinuousClock.now >= deadline { throw DeadlineExceeded(what: what, timeout: timeout) }
        try await Task.sleep(for: poll)
    }
}

/// kubectl 1.32, as a user runs it.
struct Kubectl {
    let kubeconfig: String
    let cacheDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-cache-\(UUID().uuidString)").path

    @discardableResult
    func run(_ arguments: String...) async throws -> ProcessRunner.Result {
        try await ProcessRunner.run("/usr/bin/kubectl", ["--kubeconfig", kubeconfig, "--cache-dir", cacheDirectory] + arguments)
    }
}

/// `kubectl kustomize DIR`, parsed.
func kustomize(_ directory: String) async throws -> [JSONValue] {
    let result = try await ProcessRunner.run("/usr/bin/kubectl", ["kustomize", repositoryFile(directory)])
    guard result.status == 0 else { throw KustomizeFailed(directory: directory, stderr: result.stderr) }
    return try YAML.decodeAll(result.stdout)
}

struct KustomizeFailed: Error, CustomStringConvertible {
    let directory: String
    let stderr: String
    var description: String { "kubectl kustomize \(directory) failed: \(stderr)" }
}
