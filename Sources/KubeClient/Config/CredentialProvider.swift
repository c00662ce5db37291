import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What to send with a request right now.
public struct ResolvedCredential: Sendable, Hashable {
    /// The whole `Authorization` header value (`Bearer …`, `Basic …`), nil for none.
    public var authorizationHeader: String?
    /// A client certificate from an exec plugin (overrides the kubeconfig's).
    public var clientCertificatePEM: [UInt8]?
    public var clientKeyPEM: [UInt8]?
    /// When an exec credential stops being valid; nil = no known expiry.
    public var expiresAt: Date?

    public init(
        authorizationHeader: String? = nil, clientCertificatePEM: [UInt8]? = nil, clientKeyPEM: [UInt8]? = nil,
        expiresAt: Date? = nil
    ) {
        self.authorizationHeader = authorizationHeader
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.expiresAt = expiresAt
    }
}

/// Turns a ``Credential`` into headers and certificates, keeping them fresh.
///
/// - Token files are re-read when their modification time changes, and at least once a
///   minute (rotated service-account tokens), as client-go's cached token source does.
/// - Exec plugins run as a subprocess; the credential is cached until its
///   `expirationTimestamp` (forever when it has none). ``invalidate()`` (the transport calls
///   it on a 401) makes the next ``current()`` read the file or run the plugin again.
/// - Concurrent callers share one plugin run.
public actor CredentialProvider {
    public let credential: Credential
    public let cluster: ExecClusterInfo?
    let environment: [String: String]
    let clock: @Sendable () -> Date
    /// How long an exec plugin may run before it is stopped and reported.
    public let execTimeout: Duration

    /// How long a token file is trusted without checking it again.
    public static let tokenFileRecheckInterval: TimeInterval = 60

    private var cached: ResolvedCredential?
    private var tokenReadAt: Date?
    private var tokenModifiedAt: Date?
    private var inFlight: Task<ResolvedCredential, any Error>?
    private var generation = 0
    /// How many times an exec plugin has been run (for tests and metrics).
    public private(set) var execRuns = 0

    public init(_ credential: Credential, cluster: ExecClusterInfo? = nil) {
        self.init(credential, cluster: cluster, environment: ProcessInfo.processInfo.environment)
    }

    /// `environment` is the base environment of exec plugins; `clock` is injectable for tests.
    public init(
        _ credential: Credential, cluster: ExecClusterInfo? = nil, environment: [String: String],
        execTimeout: Duration = .seconds(120), clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.credential = credential
        self.cluster = cluster
        self.environment = environment
        self.execTimeout = execTimeout
        self.clock = clock
    }

    /// The credential to send now.
    public func current() async throws -> ResolvedCredential {
        switch credential {
        case .none:
            return ResolvedCredential()
        case .bearerToken(let token):
            return ResolvedCredential(authorizationHeader: "Bearer " + token)
        case .basic(let username, let password):
            let encoded = Data("\(username):\(password)".utf8).base64EncodedString()
            return ResolvedCredential(authorizationHeader: "Basic " + encoded)
        case .tokenFile(let path):
            return try currentTokenFile(path)
        case .exec(let config):
            return try await currentExec(config)
        }
    }

    /// Forgets the cached credential: the next ``current()`` re-reads the token file or
    /// re-runs the exec plugin.
    public func invalidate() {
        cached = nil
        tokenReadAt = nil
        tokenModifiedAt = nil
        generation += 1
        inFlight = nil
    }

    // MARK: token file

    private func currentTokenFile(_ path: String) throws -> ResolvedCredential {
        let now = clock()
        let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        if let cached, let readAt = tokenReadAt, now.timeIntervalSince(readAt) < CredentialProvider.tokenFileRecheckInterval,
           modified == tokenModifiedAt
        {
            return cached
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            if let cached { return cached }  // keep the last good token while the file is briefly missing
            throw KubeError.configuration(
                "cannot read the bearer token file \(path); check that it exists and is readable (tokenFile in the "
                    + "kubeconfig, or the pod's service account mount)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            if let cached { return cached }
            throw KubeError.configuration("the bearer token file \(path) is empty; write a token to it")
        }
        let resolved = ResolvedCredential(authorizationHeader: "Bearer " + token)
        cached = resolved
        tokenReadAt = now
        tokenModifiedAt = modified
        return resolved
    }

    // MARK: exec plugin

    private func currentExec(_ config: ExecConfig) async throws -> ResolvedCredential {
        if let cached, !isExpired(cached) { return cached }
        if let inFlight { return try await inFlight.value }
        let runGeneration = generation
        let cluster = config.provideClusterInfo ? self.cluster : nil
        let environment = self.environment
        let components = execTimeout.components
        let timeout = Double(components.seconds) + Double(components.attoseconds) / 1e18
        let task = Task {
            try await ExecPluginRunner.run(config, cluster: cluster, environment: environment, timeout: timeout)
        }
        inFlight = task
        execRuns += 1
        do {
            let result = try await task.value
            if generation == runGeneration {
                cached = result
                inFlight = nil
            }
            return result
        } catch {
            if generation == runGeneration { inFlight = nil }
            throw error
        }
    }

    private func isExpired(_ credential: ResolvedCredential) -> Bool {
        guard let expiry = credential.expiresAt else { return false }
        return clock() >= expiry
    }
}

/// Runs an exec credential plugin once and reads its ExecCredential.
enum ExecPluginRunner {
    /// How long a plugin may run before it is stopped.
    static let timeout: TimeInterval = 120

    static func run(
        _ config: ExecConfig, cluster: ExecClusterInfo?, environment: [String: String], timeout: TimeInterval = timeout
    ) async throws -> ResolvedCredential {
        if config.interactiveMode == .always {
            throw KubeError.configuration(
                "exec plugin \"\(config.command)\" requires an interactive terminal (interactiveMode: Always), but "
                    + "standard input is not a terminal here; use a plugin configuration that works non-interactively"
                    + hint(config))
        }
        var env = environment
        for variable in config.env { env[variable.name] = variable.value }
        var spec: [String: JSONValue] = ["interactive": false]
        if let cluster { spec["cluster"] = cluster.json }
        let info: JSONValue = ["kind": "ExecCredential", "apiVersion": .string(config.apiVersion), "spec": .object(spec)]
        env["KUBERNETES_EXEC_INFO"] = info.serialized()

        guard let executable = locate(config.command, path: env["PATH"]) else {
            throw KubeError.configuration(
                "exec plugin \"\(config.command)\" was not found"
                    + (config.command.contains("/") ? "" : " on PATH (\(env["PATH"] ?? ""))")
                    + "; it looks like you are trying to use a client-go credential plugin that is not installed"
                    + hint(config))
        }

        let (status, stdout, stderr, timedOut) = try await execute(
            executable, arguments: config.args, environment: env, timeout: timeout)
        let errorText = String(decoding: stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if timedOut {
            throw KubeError.configuration(
                "exec plugin \"\(config.command)\" did not finish within \(Int(timeout)) s and was stopped; it may be "
                    + "waiting for input it cannot get here (a login prompt)"
                    + (errorText.isEmpty ? "" : ": \(errorText)") + hint(config))
        }
        guard status == 0 else {
            throw KubeError.configuration(
                "exec plugin \"\(config.command)\" failed with exit code \(status)"
                    + (errorText.isEmpty ? "" : ": \(errorText)") + hint(config))
        }
        return try parse(stdout, config: config, stderr: errorText)
    }

    static func hint(_ config: ExecConfig) -> String {
        guard let installHint = config.installHint, !installHint.isEmpty else { return "" }
        return "\n\n" + installHint
    }

    static func parse(_ output: [UInt8], config: ExecConfig, stderr: String) throws -> ResolvedCredential {
        func fail(_ problem: String) -> KubeError {
            KubeError.configuration(
                "exec plugin \"\(config.command)\" \(problem)" + (stderr.isEmpty ? "" : " (stderr: \(stderr))") + hint(config))
        }
        guard let credential = try? JSONValue(parsing: output) else {
            let snippet = String(decoding: output.prefix(200), as: UTF8.self)
            throw fail("printed something that is not an ExecCredential JSON object: \"\(snippet)\"")
        }
        guard credential["kind"].stringValue == "ExecCredential" else {
            throw fail("printed an object of kind \"\(credential["kind"].stringValue ?? "")\", expected ExecCredential")
        }
        let returned = credential["apiVersion"].stringValue ?? ""
        guard returned == config.apiVersion else {
            throw fail("is configured to use API version \(config.apiVersion), plugin returned version \(returned)")
        }
        let status = credential["status"]
        guard case .object = status else { throw fail("didn't return a status field") }
        let token = status["token"].stringValue ?? ""
        let cert = status["clientCertificateData"].stringValue ?? ""
        let key = status["clientKeyData"].stringValue ?? ""
        if cert.isEmpty != key.isEmpty {
            throw fail("returned only one of clientCertificateData and clientKeyData; it must return both or neither")
        }
        if token.isEmpty && cert.isEmpty {
            throw fail("didn't return a token or cert/key pair")
        }
        var expiresAt: Date?
        if let text = status["expirationTimestamp"].stringValue, !text.isEmpty {
            guard let date = KubeTimestamp.parse(text) else {
                throw fail("returned an expirationTimestamp \"\(text)\" that is not an RFC 3339 time")
            }
            expiresAt = date
        }
        return ResolvedCredential(
            authorizationHeader: token.isEmpty ? nil : "Bearer " + token,
            clientCertificatePEM: cert.isEmpty ? nil : Array(cert.utf8),
            clientKeyPEM: key.isEmpty ? nil : Array(key.utf8),
            expiresAt: expiresAt)
    }

    /// The executable for a command: a path as given, or the first match on PATH.
    static func locate(_ command: String, path: String?) -> String? {
        let fm = FileManager.default
        if command.contains("/") { return fm.isExecutableFile(atPath: command) ? command : nil }
        for dir in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = String(dir) + "/" + command
            if fm.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs a program to completion without blocking the caller's thread, collecting its output.
    ///
    /// Blocking reads run on threads of their own, not on Dispatch's small global pool, so a
    /// slow plugin cannot starve other work (or its own timeout).
    static func execute(_ executable: String, arguments: [String], environment: [String: String], timeout: TimeInterval)
        async throws -> (Int32, [UInt8], [UInt8], Bool)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw KubeError.configuration("cannot start exec plugin \(executable): \(error.localizedDescription)")
        }
        let handle = ProcessHandle(process)
        let outReader = out.fileHandleForReading
        let errReader = err.fileHandleForReading
        return await withCheckedContinuation { continuation in
            let finished = DispatchSemaphore(value: 0)
            let timedOut = LockedBox(false)
            // The timer: stop a plugin that hangs (waiting for a login, say).
            Thread {
                guard finished.wait(timeout: .now() + timeout) == .timedOut else { return }
                // Flag first: once killed, the reader thread sees the exit and reads the flag at once.
                timedOut.set(true)
                if !handle.terminateIfRunning() { timedOut.set(false) }
            }.start()
            let errorData = LockedBox<Data>(Data())
            let errorDone = DispatchSemaphore(value: 0)
            Thread {
                errorData.set(errReader.readDataToEndOfFile())
                errorDone.signal()
            }.start()
            Thread {
                let outputData = outReader.readDataToEndOfFile()
                errorDone.wait()
                let status = handle.waitUntilExit()
                finished.signal()
                continuation.resume(returning: (status, [UInt8](outputData), [UInt8](errorData.get()), timedOut.get()))
            }.start()
        }
    }
}

/// A value shared between two threads of one plugin run.
final class LockedBox<Value: Sendable>: @unchecked Sendable {
    // @unchecked: every access to `value` holds `lock`.
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func set(_ newValue: Value) { lock.lock(); value = newValue; lock.unlock() }
    func get() -> Value { lock.lock(); defer { lock.unlock() }; return value }
}

/// A running plugin process that a timer may stop.
final class ProcessHandle: @unchecked Sendable {
    // @unchecked: after launch `process` is only waited on by one thread and signalled by
    // the timer under `lock`; `done` (set under `lock`) stops a signal to a reaped process.
    private let lock = NSLock()
    private let process: Process
    private var done = false

    init(_ process: Process) { self.process = process }

    /// Waits for the process to end and returns its exit status.
    func waitUntilExit() -> Int32 {
        process.waitUntilExit()
        lock.lock()
        defer { lock.unlock() }
        done = true
        return process.terminationStatus
    }

    /// Terminates the process if it has not finished; whether it did.
    func terminateIfRunning() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !done, process.isRunning else { return false }
        // SIGKILL: a plugin may have inherited an ignored SIGTERM, and a hung one deserves no grace.
        kill(process.processIdentifier, SIGKILL)
        return true
    }
}
