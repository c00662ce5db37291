import KubeClient

/// A revision is the hash of the pod template, like a ReplicaSet's pod-template-hash:
/// the same template always hashes the same, whatever the key order in the manifest.
enum Revision {
    static func of(template: JSONValue) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in template.serializedBytes() {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        // Base-36 without vowels, as Kubernetes renders pod-template hashes, so a hash never spells a word.
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        var out = ""
        var n = hash
        for _ in 0..<10 {
            out.append(alphabet[Int(n % UInt64(alphabet.count))])
            n /= UInt64(alphabet.count)
        }
        return out
    }

    /// The images of a pod template's containers, in order.
    static func images(of template: JSONValue) -> [String] {
        (template["spec"]["containers"].arrayValue ?? []).compactMap { $0["image"].stringValue }
    }
}
