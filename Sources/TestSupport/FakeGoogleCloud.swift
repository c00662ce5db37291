import Cloud
import Crypto
import Foundation
import KubeClient
import Synchronization
import _CryptoExtras

/// Google's token endpoint, Compute Engine, GKE and Cloud Monitoring as an in-process fake,
/// built from the documented request and response shapes.
///
/// The token endpoint verifies the JWT bearer assertion with the public half of the key it
/// was made with (RS256 signature, `iss`, `aud`, `scope`, one-hour lifetime); the APIs
/// accept only tokens it issued. What a request gets wrong is recorded in ``violations``.
public final class FakeGoogleCloud: Sendable {
    public struct Instance: Sendable {
        public var zone: String, name: String, status: String, id: Int
        public init(zone: String, name: String, status: String, id: Int) {
            self.zone = zone
            self.name = name
            self.status = status
            self.id = id
        }
    }
    public struct State: Sendable {
        public var instances: [Instance] = []
        public var clusters: [JSONValue] = []
        public var series: [JSONValue] = []
        public var issued: Set<String> = []
        public var tokenLifetime = 3600
        public var violations: [String] = []
        public var tokenRequests = 0
        /// Requests about this project are refused with 403 PERMISSION_DENIED, and the message
        /// carelessly quotes the bearer token (what a server must never pass on).
        public var deniedProject: String?
    }

    public let key: _RSA.Signing.PrivateKey
    public let state = Mutex(State())
    public let project = "demo-project"
    private let box = Mutex<ScriptedServer?>(nil)
    public var server: ScriptedServer { box.withLock { $0! } }
    public var url: String { server.url }
    public var violations: [String] { state.withLock { $0.violations } }
    public var tokenRequests: Int { state.withLock { $0.tokenRequests } }

    private init(key: _RSA.Signing.PrivateKey) { self.key = key }

    public static func start() async throws -> FakeGoogleCloud {
        let fake = FakeGoogleCloud(key: try _RSA.Signing.PrivateKey(keySize: .bits2048))
        let server = await ScriptedServer.start { request in fake.handle(request) }
        fake.box.withLock { $0 = server }
        return fake
    }

    public func stop() { server.stop() }

    /// A service-account key file whose token_uri is this fake.
    public var keyJSON: [UInt8] {
        JSONValue.object([
            "type": "service_account", "project_id": .string(project), "private_key_id": "key-1",
            "private_key": .string(key.pkcs8PEMRepresentation), "client_email": "opsagent@demo-project.iam.gserviceaccount.com",
            "client_id": "1", "token_uri": .string(url + "/token"),
        ]).serializedBytes()
    }

    public func settings() -> GCPSettings {
        GCPSettings(serviceAccountKey: keyJSON, environment: [:], computeURL: url + "/compute/v1",
                    containerURL: url + "/container/v1", monitoringURL: url + "/monitoring/v3")
    }

    private func violation(_ text: String) { state.withLock { $0.violations.append(text) } }

    private func googleError(_ code: Int, _ status: String, _ message: String) -> ScriptedServer.Reply {
        .json(["error": ["code": .int(Int64(code)), "status": .string(status), "message": .string(message)]], status: code)
    }

    public func handle(_ request: ScriptedServer.Request) -> ScriptedServer.Reply {
        if request.path == "/token" { return token(request) }
        guard let auth = request.header("Authorization"), auth.hasPrefix("Bearer "),
              state.withLock({ $0.issued.contains(String(auth.dropFirst(7))) }) else {
            return googleError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
        }
        if let denied = state.withLock({ $0.deniedProject }), request.path.contains("/projects/\(denied)/") {
            return googleError(403, "PERMISSION_DENIED", "Permission denied on resource project \(denied) for the caller of \(auth).")
        }
        let parts = request.path.split(separator: "/").map(String.init)
        switch (request.method, parts.first) {
        case ("GET", "compute") where request.path == "/compute/v1/projects/\(project)/aggregated/instances":
            return aggregated(request)
        case ("POST", "compute") where parts.count == 9 && ["start", "stop"].contains(parts[8]):
            return startStop(zone: parts[5], name: parts[7], verb: parts[8])
        case ("GET", "container") where parts.count >= 7 && parts[2...3] == ["projects", project] && parts[6] == "clusters":
            return clusters(location: parts[5], name: parts.count > 7 ? parts[7] : nil)
        case ("GET", "monitoring") where request.path == "/monitoring/v3/projects/\(project)/timeSeries":
            return timeSeries(request)
        default:
            violation("unexpected \(request.method) \(request.path)")
            return googleError(404, "NOT_FOUND", "no such resource \(request.path)")
        }
    }

    private func token(_ request: ScriptedServer.Request) -> ScriptedServer.Reply {
        state.withLock { $0.tokenRequests += 1 }
        guard request.field("grant_type") == "urn:ietf:params:oauth:grant-type:jwt-bearer", let jwt = request.field("assertion") else {
            violation("token: grant_type must be jwt-bearer with an assertion")
            return .json(["error": "unsupported_grant_type"], status: 400)
        }
        let pieces = jwt.split(separator: ".").map(String.init)
        guard pieces.count == 3, let header = Base64URL.decode(pieces[0]).flatMap({ try? JSONValue(parsing: $0) }),
              let claims = Base64URL.decode(pieces[1]).flatMap({ try? JSONValue(parsing: $0) }),
              let signature = Base64URL.decode(pieces[2]) else {
            violation("token: the assertion is not a JWT")
            return .json(["error": "invalid_grant"], status: 400)
        }
        var problems: [String] = []
        if header["alg"].stringValue != "RS256" { problems.append("alg must be RS256") }
        if header["kid"].stringValue != "key-1" { problems.append("kid must be the key id") }
        if !key.publicKey.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature),
                                           for: Array("\(pieces[0]).\(pieces[1])".utf8), padding: .insecurePKCS1v1_5) {
            problems.append("the RS256 signature does not verify with the key's public half")
        }
        if claims["iss"].stringValue != "opsagent@demo-project.iam.gserviceaccount.com" { problems.append("iss must be client_email") }
        if claims["aud"].stringValue != url + "/token" { problems.append("aud must be the token_uri") }
        if claims["scope"].stringValue != "https://www.googleapis.com/auth/cloud-platform" { problems.append("scope must be cloud-platform") }
        let iat = claims["iat"].intValue ?? 0, exp = claims["exp"].intValue ?? 0
        if exp - iat != 3600 || abs(Double(iat) - Date().timeIntervalSince1970) > 60 { problems.append("iat/exp must span one hour from now") }
        guard problems.isEmpty else {
            problems.forEach(violation)
            return .json(["error": "invalid_grant", "error_description": .string(problems.joined(separator: "; "))], status: 400)
        }
        let token = "ya29.fake-\(UUID().uuidString)"
        let lifetime = state.withLock { s in s.issued.insert(token); return s.tokenLifetime }
        return .json(["access_token": .string(token), "expires_in": .int(Int64(lifetime)), "token_type": "Bearer"])
    }

    /// `aggregated/instances`: `maxResults` per page, `pageToken` an offset, a warning for empty zones.
    private func aggregated(_ request: ScriptedServer.Request) -> ScriptedServer.Reply {
        let all = state.withLock { $0.instances }.sorted { ($0.zone, $0.name) < ($1.zone, $1.name) }
        let pageSize = Int(request.param("maxResults") ?? "500") ?? 500
        let offset = Int(request.param("pageToken") ?? "0") ?? 0
        if request.param("pageToken") != nil, offset == 0 { violation("pageToken must be one this server issued") }
        let page = Array(all.dropFirst(offset).prefix(pageSize))
        var items: [String: JSONValue] = ["zones/asia-northeast3-a": ["warning": ["code": "NO_RESULTS_ON_PAGE", "message": "none"]]]
        for instance in page {
            var entry = items["zones/\(instance.zone)"]?["instances"].arrayValue ?? []
            entry.append([
                "id": .string(String(instance.id)), "name": .string(instance.name), "status": .string(instance.status),
                "zone": .string("https://www.googleapis.com/compute/v1/projects/\(project)/zones/\(instance.zone)"),
                "machineType": .string("https://www.googleapis.com/compute/v1/projects/\(project)/zones/\(instance.zone)/machineTypes/e2-medium"),
                "networkInterfaces": [["networkIP": .string("10.0.0.\(instance.id % 250)"), "accessConfigs": [["natIP": .string("34.1.2.\(instance.id % 250)")]]]],
                "labels": ["env": "prod"],
            ])
            items["zones/\(instance.zone)"] = ["instances": .array(entry)]
        }
        var body: JSONValue = ["kind": "compute#instanceAggregatedList", "items": .object(items)]
        if offset + pageSize < all.count { body["nextPageToken"] = .string(String(offset + pageSize)) }
        return .json(body)
    }

    private func startStop(zone: String, name: String, verb: String) -> ScriptedServer.Reply {
        let found = state.withLock { s -> Bool in
            guard let i = s.instances.firstIndex(where: { $0.zone == zone && $0.name == name }) else { return false }
            s.instances[i].status = verb == "start" ? "RUNNING" : "TERMINATED"
            return true
        }
        guard found else { return googleError(404, "NOT_FOUND", "The resource 'projects/\(project)/zones/\(zone)/instances/\(name)' was not found") }
        return .json(["kind": "compute#operation", "name": .string("operation-\(verb)-\(name)"), "status": "RUNNING",
                      "targetLink": .string("https://www.googleapis.com/compute/v1/projects/\(project)/zones/\(zone)/instances/\(name)")])
    }

    private func clusters(location: String, name: String?) -> ScriptedServer.Reply {
        let all = state.withLock { $0.clusters }.filter { location == "-" || $0["location"].stringValue == location }
        guard let name else { return .json(["clusters": .array(all)]) }
        guard let cluster = all.first(where: { $0["name"].stringValue == name }) else {
            return googleError(404, "NOT_FOUND", "Not found: projects/\(project)/locations/\(location)/clusters/\(name).")
        }
        return .json(cluster)
    }

    /// `timeSeries.list`: needs a filter and both interval ends; two series per page.
    private func timeSeries(_ request: ScriptedServer.Request) -> ScriptedServer.Reply {
        guard let filter = request.param("filter"), let start = request.param("interval.startTime").flatMap(CloudTime.parse),
              let end = request.param("interval.endTime").flatMap(CloudTime.parse), start < end else {
            violation("timeSeries.list needs filter, interval.startTime and interval.endTime")
            return googleError(400, "INVALID_ARGUMENT", "Field filter and interval are required")
        }
        if request.param("aggregation.alignmentPeriod")?.hasSuffix("s") != true { violation("alignmentPeriod must be a duration like 60s") }
        let matching = state.withLock { $0.series }.filter { filter.contains("\"\($0["metric"]["type"].stringValue ?? "")\"") }
        let offset = Int(request.param("pageToken") ?? "0") ?? 0
        var body: JSONValue = ["timeSeries": .array(Array(matching.dropFirst(offset).prefix(2)))]
        if offset + 2 < matching.count { body["nextPageToken"] = .string(String(offset + 2)) }
        return .json(body)
    }
}
