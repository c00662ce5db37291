import Crypto
import KubeClient

/// The SHA-256 that identifies an analysis's input: which analyzer, which prompt, which
/// incident. It keys the cache and is reported as ``AnalysisResult/inputHash``.
enum InputHash {
    static func compute(provider: String, model: String, promptVersion: String, facts fingerprint: JSONValue) -> String {
        let canonical: JSONValue = [
            "provider": .string(provider),
            "model": .string(model),
            "promptVersion": .string(promptVersion),
            "facts": fingerprint,
        ]
        // `serializedBytes` sorts object keys, so equal documents hash equally.
        let digest = SHA256.hash(data: canonical.serializedBytes())
        return digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
