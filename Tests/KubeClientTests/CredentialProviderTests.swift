import Foundation
import Testing
@testable import KubeClient

/// A settable clock for the provider.
final class TestClock: Sendable {
    private let now: LockedBox<Date>
    init(_ date: Date = Date()) { now = LockedBox(date) }
    func advance(_ seconds: TimeInterval) { now.set(now.get().addingTimeInterval(seconds)) }
    func read() -> Date { now.get() }
}

@Suite struct CredentialProviderTests {
    @Test func staticCredentials() async throws {
        #expect(try await CredentialProvider(.none).current().authorizationHeader == nil)
        #expect(try await CredentialProvider(.bearerToken("t0k")).current().authorizationHeader == "Bearer t0k")
        #expect(try await CredentialProvider(.basic(username: "admin", password: "pw")).current().authorizationHeader
            == "Basic YWRtaW46cHc=")
    }

    @Test func tokenFileRotationIsPickedUp() async throws {
        let dir = try TempDir()
        let path = try dir.write("token", "first\n")
        let clock = TestClock()
        let provider = CredentialProvider(.tokenFile(path: path), environment: [:], clock: { clock.read() })
        #expect(try await provider.current().authorizationHeader == "Bearer first")

        // Rotated: new content and a new modification time → read at once.
        try dir.write("token", "second")
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: path)
        #expect(try await provider.current().authorizationHeader == "Bearer second")

        // Same modification time: trusted for a minute, then re-read.
        let stamp = try #require(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
        try dir.write("token", "third")
        try FileManager.default.setAttributes([.modificationDate: stamp], ofItemAtPath: path)
        #expect(try await provider.current().authorizationHeader == "Bearer second")
        clock.advance(61)
        #expect(try await provider.current().authorizationHeader == "Bearer third")

        // invalidate() forces a read.
        try dir.write("token", "fourth")
        try FileManager.default.setAttributes([.modificationDate: stamp], ofItemAtPath: path)
        await provider.invalidate()
        #expect(try await provider.current().authorizationHeader == "Bearer fourth")

        // A briefly missing file keeps the last good token.
        try FileManager.default.removeItem(atPath: path)
        clock.advance(120)
        #expect(try await provider.current().authorizationHeader == "Bearer fourth")

        let missing = CredentialProvider(.tokenFile(path: dir.path + "/nope"))
        await #expect(throws: KubeError.self) { try await missing.current() }
    }

    /// Writes a plugin that counts its runs, records its environment, and prints a token
    /// expiring `expiry` from now.
    func writePlugin(_ dir: TempDir, expiry: String, apiVersion: String = ExecConfig.v1) throws -> String {
        try dir.write("plugin.sh", """
            #!/bin/sh
            count=$(cat "\(dir.path)/runs" 2>/dev/null || echo 0)
            count=$((count + 1))
            echo "$count" > "\(dir.path)/runs"
            printf '%s' "$KUBERNETES_EXEC_INFO" > "\(dir.path)/exec-info.json"
            printf '%s' "$PLUGIN_GREETING" > "\(dir.path)/greeting"
            cat <<EOF
            {"kind":"ExecCredential","apiVersion":"\(apiVersion)","status":{"token":"token-$count","expirationTimestamp":"\(expiry)"}}
            EOF
            """, executable: true)
    }

    @Test func execPluginRunsCachesUntilExpiryAndRerunsAfterInvalidate() async throws {
        let dir = try TempDir()
        let now = Date()
        let expiry = KubeTimestamp.format(now.addingTimeInterval(3600))
        let plugin = try writePlugin(dir, expiry: expiry)
        let clock = TestClock(now)
        let exec = ExecConfig(
            command: plugin, args: ["--flag"], env: [.init(name: "PLUGIN_GREETING", value: "hello")],
            apiVersion: ExecConfig.v1, provideClusterInfo: true, interactiveMode: .never)
        let cluster = ExecClusterInfo(server: "https://10.0.0.1:6443", certificateAuthorityData: Array(caPEM.utf8))
        let provider = CredentialProvider(
            .exec(exec), cluster: cluster, environment: ProcessInfo.processInfo.environment, clock: { clock.read() })

        let first = try await provider.current()
        #expect(first.authorizationHeader == "Bearer token-1")
        #expect(first.expiresAt.map { abs($0.timeIntervalSince(now) - 3600) < 1 } == true)

        // Cached: concurrent and later calls do not run the plugin again.
        async let a = provider.current()
        async let b = provider.current()
        let (ra, rb) = try await (a, b)
        #expect(ra.authorizationHeader == "Bearer token-1")
        #expect(rb.authorizationHeader == "Bearer token-1")
        #expect(await provider.execRuns == 1)

        // After invalidate (a 401), the plugin runs again.
        await provider.invalidate()
        #expect(try await provider.current().authorizationHeader == "Bearer token-2")

        // After expiry, too.
        clock.advance(3601)
        #expect(try await provider.current().authorizationHeader == "Bearer token-3")
        #expect(await provider.execRuns == 3)

        // The plugin saw its env and KUBERNETES_EXEC_INFO with the cluster.
        #expect(try String(contentsOfFile: dir.path + "/greeting", encoding: .utf8) == "hello")
        let info = try JSONValue(parsing: String(contentsOfFile: dir.path + "/exec-info.json", encoding: .utf8))
        #expect(info["kind"] == "ExecCredential")
        #expect(info["apiVersion"] == .string(ExecConfig.v1))
        #expect(info["spec"]["interactive"] == false)
        #expect(info["spec"]["cluster"]["server"] == "https://10.0.0.1:6443")
        #expect(info["spec"]["cluster"]["certificate-authority-data"] == .string(base64CA))
    }

    @Test func execPluginWithoutClusterInfoAndClientCertificates() async throws {
        let dir = try TempDir()
        let plugin = try dir.write("cert-plugin", """
            #!/bin/sh
            printf '%s' "$KUBERNETES_EXEC_INFO" > "\(dir.path)/exec-info.json"
            printf '%s' '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","status":{"clientCertificateData":"-----BEGIN CERTIFICATE-----\\nX\\n-----END CERTIFICATE-----","clientKeyData":"-----BEGIN PRIVATE KEY-----\\nY\\n-----END PRIVATE KEY-----"}}'
            """, executable: true)
        // Found on PATH by name.
        let env = ["PATH": dir.path + ":/usr/bin:/bin"]
        let provider = CredentialProvider(
            .exec(ExecConfig(command: "cert-plugin", apiVersion: ExecConfig.v1beta1)),
            cluster: ExecClusterInfo(server: "https://x"), environment: env)
        let credential = try await provider.current()
        #expect(credential.authorizationHeader == nil)
        #expect(credential.clientCertificatePEM.map { String(decoding: $0, as: UTF8.self) }
            == "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----")
        #expect(credential.clientKeyPEM != nil)
        #expect(credential.expiresAt == nil)
        _ = plugin
        let info = try JSONValue(parsing: String(contentsOfFile: dir.path + "/exec-info.json", encoding: .utf8))
        #expect(info["spec"]["cluster"] == .null, "no cluster info unless provideClusterInfo")
    }

    @Test func hangingPluginIsStopped() async throws {
        let dir = try TempDir()
        let plugin = try dir.write("hang.sh", "#!/bin/sh\necho 'Enter MFA code:' >&2\nexec sleep 30\n", executable: true)
        let provider = CredentialProvider(
            .exec(ExecConfig(command: plugin, interactiveMode: .never)), environment: [:], execTimeout: .milliseconds(500))
        let started = Date()
        do {
            _ = try await provider.current()
            Issue.record("expected an error")
        } catch let error as KubeError {
            #expect(error.description.contains("did not finish"))
            #expect(error.description.contains("Enter MFA code:"))
        }
        #expect(Date().timeIntervalSince(started) < 20)
    }

    @Test func failingPluginReportsStderrAndInstallHint() async throws {
        let dir = try TempDir()
        let plugin = try dir.write("bad.sh", """
            #!/bin/sh
            echo "could not get token: AccessDenied" >&2
            exit 3
            """, executable: true)
        let provider = CredentialProvider(.exec(ExecConfig(
            command: plugin, apiVersion: ExecConfig.v1, installHint: "Install the plugin from example.com",
            interactiveMode: .never)))
        do {
            _ = try await provider.current()
            Issue.record("expected an error")
        } catch let error as KubeError {
            guard case .configuration(let message) = error else { Issue.record("\(error)"); return }
            #expect(message.contains("exit code 3"))
            #expect(message.contains("could not get token: AccessDenied"))
            #expect(message.contains("Install the plugin from example.com"))
        }

        let notInstalled = CredentialProvider(
            .exec(ExecConfig(command: "no-such-plugin-xyz", installHint: "brew install it")), environment: ["PATH": dir.path])
        do {
            _ = try await notInstalled.current()
            Issue.record("expected an error")
        } catch let error as KubeError {
            #expect(error.description.contains("not found"))
            #expect(error.description.contains("brew install it"))
        }

        let wrongVersion = try writePlugin(dir, expiry: "2099-01-01T00:00:00Z", apiVersion: ExecConfig.v1beta1)
        let mismatch = CredentialProvider(.exec(ExecConfig(command: wrongVersion, apiVersion: ExecConfig.v1)))
        await #expect(throws: KubeError.self) { try await mismatch.current() }

        let always = CredentialProvider(.exec(ExecConfig(command: wrongVersion, interactiveMode: .always)))
        await #expect(throws: KubeError.self) { try await always.current() }
    }
}
