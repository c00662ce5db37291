import Crypto
import Foundation
import KubeClient
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import SwiftASN1
import X509

/// Authenticates requests as kube-apiserver does: a bearer token (static tokens, then
/// ServiceAccount tokens) or a client certificate signed by the cluster CA (CN is the
/// user, O the groups). Requests with neither are anonymous, which this server refuses.
public final class Authenticator: Sendable {
    private let staticTokens: [String: UserInfo]
    let serviceAccountTokens: ServiceAccountTokens
    /// Parsed client certificates by DER bytes, so a keep-alive client costs one parse.
    private let certificateCache = NIOLockedValueBox<[Data: UserInfo]>([:])
    /// The certificate user of each open connection, so later requests on it skip the hop
    /// to its event loop. Entries hold the channel weakly: a reused identifier of a freed
    /// channel never matches.
    private let connections = NIOLockedValueBox<[ObjectIdentifier: ConnectionIdentity]>([:])

    private struct ConnectionIdentity {
        weak var channel: (any Channel)?
        var user: UserInfo?
    }

    public init(staticTokens: [String: UserInfo], serviceAccountTokens: ServiceAccountTokens) {
        self.staticTokens = staticTokens
        self.serviceAccountTokens = serviceAccountTokens
    }

    /// The user an `Authorization` header names, nil when there is none; throws 401 for
    /// credentials that do not verify. A client certificate (``certificateUser(of:)``,
    /// ``certificateUser(_:)``) is asked first, by the caller.
    func authenticate(authorization: String?) throws(APIError) -> UserInfo? {
        if let authorization, !authorization.isEmpty {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                let token = parts[1].trimmingCharacters(in: .whitespaces)
                guard let user = authenticate(token: token) else { throw APIError.unauthorized }
                return user
            }
        }
        return nil
    }

    /// The user of the connection's client certificate, nil without one; remembered per
    /// connection for the async path.
    func certificateUser(of channel: any Channel) async throws(APIError) -> UserInfo? {
        let id = ObjectIdentifier(channel)
        if let known = connections.withLockedValue({ $0[id] }), known.channel === channel { return known.user }
        let certificate = try? await channel.nioSSL_peerCertificate().get()
        let user = try certificateUser(certificate)
        connections.withLockedValue { table in
            if table.count > 4096 { table = table.filter { $0.value.channel != nil } }
            table[id] = ConnectionIdentity(channel: channel, user: user)
        }
        return user
    }

    /// The user a client certificate names, nil without one; throws 401 for a certificate
    /// without a common name.
    func certificateUser(_ certificate: NIOSSLCertificate?) throws(APIError) -> UserInfo? {
        try certificate.map { certificate throws(APIError) in try self.user(from: certificate) }
    }

    /// The user a bearer token stands for, nil when it is not valid.
    public func authenticate(token: String) -> UserInfo? {
        if let user = staticTokens[token] { return user }
        return serviceAccountTokens.verify(token)
    }

    private func user(from certificate: NIOSSLCertificate) throws(APIError) -> UserInfo {
        let der: Data
        do { der = Data(try certificate.toDERBytes()) } catch { throw APIError.unauthorized }
        if let cached = certificateCache.withLockedValue({ $0[der] }) { return cached }
        guard let parsed = try? Certificate(derEncoded: Array(der)) else { throw APIError.unauthorized }
        var name = ""
        var groups: [String] = []
        for rdn in parsed.subject {
            for attribute in rdn {
                let value = String(describing: attribute.value)
                if attribute.type == .RDNAttributeType.commonName { name = value }
                if attribute.type == .RDNAttributeType.organizationName { groups.append(value) }
            }
        }
        guard !name.isEmpty else { throw APIError.unauthorized }
        let user = UserInfo(name: name, groups: groups)
        certificateCache.withLockedValue { cache in
            if cache.count > 1024 { cache.removeAll() }
            cache[der] = user
        }
        return user
    }
}
