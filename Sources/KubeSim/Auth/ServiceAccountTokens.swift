import Crypto
import Foundation
import KubeClient

/// Issues and verifies ServiceAccount tokens: ES256-signed JWTs with the claims
/// kube-apiserver puts in them, valid while the ServiceAccount they name still exists.
public final class ServiceAccountTokens: Sendable {
    public static let issuer = "https://kubernetes.default.svc.cluster.local"
    /// The signing key's raw form: swift-crypto keys are not Sendable, so each use rebuilds one.
    private let keyData: Data
    private let keyID: String
    /// Looks up the uid of a ServiceAccount (nil when it does not exist).
    private let serviceAccountUID: @Sendable (_ namespace: String, _ name: String) -> String?

    public init(key: P256.Signing.PrivateKey,
                serviceAccountUID: @escaping @Sendable (_ namespace: String, _ name: String) -> String?) {
        self.keyData = key.rawRepresentation
        self.keyID = Self.base64URL(Data(SHA256.hash(data: key.publicKey.derRepresentation)).prefix(16))
        self.serviceAccountUID = serviceAccountUID
    }

    /// A token for `namespace/name` (whose uid is `uid`), valid for `lifetime` seconds (nil: no expiry, as legacy secrets).
    public func issue(namespace: String, name: String, uid: String, audiences: [String],
                      lifetime: Int?, now: Date = Date()) -> (token: String, expires: Date?) {
        let issued = Int64(now.timeIntervalSince1970)
        var claims: JSONValue = [
            "iss": .string(Self.issuer), "sub": .string("system:serviceaccount:\(namespace):\(name)"),
            "aud": .array(audiences.map { .string($0) }), "iat": .int(issued), "nbf": .int(issued),
            "jti": .string(UUID().uuidString.lowercased()),
            "kubernetes.io": ["namespace": .string(namespace),
                              "serviceaccount": ["name": .string(name), "uid": .string(uid)]],
        ]
        var expires: Date?
        if let lifetime {
            claims["exp"] = .int(issued + Int64(lifetime))
            expires = Date(timeIntervalSince1970: TimeInterval(issued + Int64(lifetime)))
        }
        let header: JSONValue = ["alg": "ES256", "kid": .string(keyID)]
        let signingInput = Self.base64URL(Data(header.serializedBytes())) + "." + Self.base64URL(Data(claims.serializedBytes()))
        // The raw form was taken from a valid key in init, so rebuilding and signing cannot fail.
        let key = try? P256.Signing.PrivateKey(rawRepresentation: keyData)
        let signature = (try? key?.signature(for: Data(signingInput.utf8)))?.rawRepresentation ?? Data()
        return (signingInput + "." + Self.base64URL(signature), expires)
    }

    /// The ServiceAccount user a token authenticates, nil when the token is not one of
    /// ours, is expired, or its ServiceAccount was deleted or recreated.
    public func verify(_ token: String, now: Date = Date()) -> UserInfo? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let key = try? P256.Signing.PrivateKey(rawRepresentation: keyData),
              let signature = Self.decodeBase64URL(String(parts[2])),
              let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature),
              key.publicKey.isValidSignature(ecdsa, for: Data("\(parts[0]).\(parts[1])".utf8)),
              let payload = Self.decodeBase64URL(String(parts[1])),
              let claims = try? JSONValue(parsing: Array(payload)),
              claims["iss"].stringValue == Self.issuer else { return nil }
        if let exp = claims["exp"].intValue, Double(exp) < now.timeIntervalSince1970 { return nil }
        let info = claims["kubernetes.io"]
        guard let namespace = info["namespace"].stringValue,
              let name = info["serviceaccount"]["name"].stringValue,
              let uid = info["serviceaccount"]["uid"].stringValue,
              serviceAccountUID(namespace, name) == uid else { return nil }
        return UserInfo(name: "system:serviceaccount:\(namespace):\(name)", uid: uid,
                        groups: ["system:serviceaccounts", "system:serviceaccounts:\(namespace)"])
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeBase64URL(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}

/// `POST …/serviceaccounts/{name}/token`: a TokenRequest answered with a fresh token.
struct TokenRequestResponder: SubresourceResponder {
    let tokens: ServiceAccountTokens

    func respond(to request: SubresourceRequest) async throws(APIError) -> Response {
        guard request.method == .post else {
            throw APIError.methodNotSupported(GroupResource(group: "", resource: "serviceaccounts/token"), verb: "get")
        }
        let account = try request.registry.get(request.type, namespace: request.namespace, name: request.name)
        let body = (try? JSONValue(parsing: request.body)) ?? .emptyObject
        var spec = body["spec"]
        if case .object = spec {} else { spec = .emptyObject }
        let audiences = (spec["audiences"].arrayValue ?? []).compactMap(\.stringValue)
        let lifetime = spec["expirationSeconds"].intValue ?? 3600
        if lifetime < 600 {
            throw APIError.invalid(kind: "TokenRequest", group: "authentication.k8s.io", name: request.name, causes: [
                .init(type: "FieldValueInvalid", message: "Invalid value: \(lifetime): may not specify a duration less than 10 minutes",
                      field: "spec.expirationSeconds"),
            ])
        }
        let effectiveAudiences = audiences.isEmpty ? [ServiceAccountTokens.issuer] : audiences
        let (token, expires) = tokens.issue(namespace: request.namespace, name: request.name, uid: account.uid,
                                            audiences: effectiveAudiences, lifetime: lifetime)
        spec["audiences"] = .array(effectiveAudiences.map { .string($0) })
        spec["expirationSeconds"] = .int(Int64(lifetime))
        spec["boundObjectRef"] = spec["boundObjectRef"]
        let answer: JSONValue = [
            "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
            "metadata": ["name": .string(request.name), "namespace": .string(request.namespace),
                         "creationTimestamp": .string(KubeTimestamp.format(Date()))],
            "spec": spec,
            "status": ["token": .string(token),
                       "expirationTimestamp": .string(KubeTimestamp.format(expires ?? Date()))],
        ]
        return Response(Responses.json(answer, status: .created))
    }
}

import Hummingbird
