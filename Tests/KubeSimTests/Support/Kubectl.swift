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
/// Concurrent first calls share one start, so every test sees the same simulator.
actor SharedSimulator {
    private var starting: Task<Simulator, any Error>?
    private let configuration: Simulator.Configuration
    private let setup: @Sendable (Simulator) async throws -> Void

    /// `setup` runs once, before any test gets the simulator (for example to install a CRD).
    init(_ configuration: Simulator.Configuration = .init(port: 0, tls: true),
         setup: @escaping @Sendable (Simulator) async throws -> Void = { _ in }) {
        self.configuration = configuration
        self.setup = setup
    }

    func get() async throws -> Simulator {
        if let starting { return try await starting.value }
        let configuration = configuration
        let setup = setup
        let task = Task {
            let sim = try await Simulator.start(configuration)
            try await setup(sim)
            return sim
        }
        starting = task
        return try await task.value
    }
}
