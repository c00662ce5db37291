import KubeClient

/// The `pod-template-hash` a Deployment gives each ReplicaSet: a 32-bit FNV-1a hash of the
/// pod template (and the collision count, when there were collisions), spelled with
/// `rand.SafeEncodeString`'s alphabet as kube-controller-manager spells it (`7d4b9c8f5`).
enum PodTemplateHash {
    static let label = "pod-template-hash"
    private static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789".utf8)

    static func compute(template: JSONValue, collisionCount: Int?) -> String {
        var hash: UInt32 = 2_166_136_261
        func add(_ bytes: some Sequence<UInt8>) {
            for byte in bytes {
                hash ^= UInt32(byte)
                hash = hash &* 16_777_619
            }
        }
        add(template.serializedBytes())
        if let collisionCount {
            // Little-endian 32-bit, as the real controller writes it into the hasher.
            let value = UInt32(truncatingIfNeeded: collisionCount)
            add([UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8(value >> 24)])
        }
        return String(decoding: String(hash).utf8.map { alphabet[Int($0) % alphabet.count] }, as: UTF8.self)
    }

    /// A template with the hash label removed, for comparing templates across ReplicaSets.
    static func withoutHash(_ template: JSONValue) -> JSONValue {
        var copy = template
        var labels = copy["metadata"]["labels"]
        labels.removeValue(forKey: label)
        if labels.objectValue?.isEmpty ?? true {
            copy["metadata"].removeValue(forKey: "labels")
        } else {
            copy[path: ["metadata", "labels"]] = labels
        }
        if copy["metadata"].objectValue?.isEmpty ?? false { copy.removeValue(forKey: "metadata") }
        return copy
    }
}
