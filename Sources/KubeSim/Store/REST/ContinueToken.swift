import Foundation
import KubeClient

/// A list continuation, encoded as kube-apiserver encodes it: base64 (URL alphabet, no
/// padding) of `{"v":"meta.k8s.io/v1","rv":N,"start":"<key>\u0000"}`.
struct ContinueToken: Equatable {
    var revision: UInt64
    /// The key of the last item served; the next page starts after it.
    var after: StoreKey

    func encoded() -> String {
        let start = after.namespace.isEmpty ? after.name : "\(after.namespace)/\(after.name)"
        let body: JSONValue = ["v": "meta.k8s.io/v1", "rv": .int(Int64(revision)), "start": .string(start + "\u{0}")]
        return Data(body.serializedBytes()).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init(revision: UInt64, after: StoreKey) {
        self.revision = revision
        self.after = after
    }

    init(decoding text: String, namespaced: Bool) throws(APIError) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let body = try? JSONValue(parsing: Array(data)),
              body["v"].stringValue == "meta.k8s.io/v1",
              let rv = body["rv"].intValue, rv > 0,
              var start = body["start"].stringValue else {
            throw APIError.badRequest("continue key is not valid: \(text)")
        }
        if start.hasSuffix("\u{0}") { start.removeLast() }
        if namespaced, let slash = start.firstIndex(of: "/") {
            after = StoreKey(namespace: String(start[..<slash]), name: String(start[start.index(after: slash)...]))
        } else {
            after = StoreKey(namespace: "", name: start)
        }
        revision = UInt64(rv)
    }
}
