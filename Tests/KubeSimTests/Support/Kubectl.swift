import Foundation
@testable import KubeSim

/// kubectl 1.32 against a simulator, with its own kubeconfig and discovery cache.
struct Kubectl: Sendable {
    let kubeconfig: String
    let cacheDirectory: String

    init(kubeconfig: String) {
        self.kubeconfig = kubeconfig
        self.cacheDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("kubectl-cache-\(UUID().uuidString.prefix(8))").path
    }

    @discardableResult
    func run(_ arguments: String..., input: String? = nil, timeout: TimeInterval = 60) async throws -> CommandResult {
        try await run(arguments, input: input, timeout: timeout)
    }

    @discardableResult
    func run(_ arguments: [String], input: String? = nil, timeout: TimeInterval = 60) async throws -> CommandResult {
        try await CommandRunner.run("/usr/bin/kubectl",
                                    ["--kubeconfig", kubeconfig, "--cache-dir", cacheDirectory] + arguments,
                                    input: input, environment: ["HOME": FileManager.default.temporaryDirectory.path,
                                                                "PATH": "/usr/bin:/bin"],
                                    timeout: timeout)
    }
}

/// One simulator shared by the tests of a suite (starting one per test would cost seconds).
actor SharedSimulator {
    private var simulator: Simulator?
    private let configuration: Simulator.Configuration

    init(_ configuration: Simulator.Configuration = .init(port: 0, tls: true)) {
        self.configuration = configuration
    }

    func get() async throws -> Simulator {
        if let simulator { return simulator }
        let started = try await Simulator.start(configuration)
        simulator = started
        return started
    }
}
