import Foundation
import KubeClient
import Synchronization

/// Where and as whom to call GCP.
///
/// Credentials: the key given (a Secret's bytes), else the file `GOOGLE_APPLICATION_CREDENTIALS`
/// names, else the metadata server. Project: `project`, else the key's `project_id`, else
/// `GOOGLE_CLOUD_PROJECT`, else the metadata server's. The API base URLs can be moved
/// (Private Service Connect, tests).
public struct GCPSettings: Sendable {
    public var project: String?
    public var serviceAccountKey: [UInt8]?
    public var environment: [String: String]
    public var computeURL: String
    public var containerURL: String
    public var monitoringURL: String

    public init(project: String? = nil, serviceAccountKey: [UInt8]? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                computeURL: String = "https://compute.googleapis.com/compute/v1",
                containerURL: String = "https://container.googleapis.com/v1",
                monitoringURL: String = "https://monitoring.googleapis.com/v3") {
        self.project = project
        self.serviceAccountKey = serviceAccountKey
        self.environment = environment
        self.computeURL = computeURL
        self.containerURL = containerURL
        self.monitoringURL = monitoringURL
    }

    /// The token source the settings select.
    public func tokenProvider(transport: any HTTPTransport) throws(CloudError) -> any GCPTokenProvider {
        if let serviceAccountKey {
            return ServiceAccountTokenProvider(key: try GCPServiceAccountKey(json: serviceAccountKey, origin: "the GCP key Secret"), transport: transport)
        }
        if let path = environment["GOOGLE_APPLICATION_CREDENTIALS"], !path.isEmpty {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CloudError(.credentials, "GOOGLE_APPLICATION_CREDENTIALS names \(path), which cannot be read")
            }
            return ServiceAccountTokenProvider(key: try GCPServiceAccountKey(json: Array(data), origin: path), transport: transport)
        }
        return MetadataServerTokenProvider(environment: environment, transport: transport)
    }
}

/// Authorized JSON calls to Google APIs over the project's libcurl transport.
///
/// The bearer token comes from a ``GCPTokenCache``; a 401 drops it and retries once with a
/// fresh one; 429 and 5xx are retried with backoff; Google's error body
/// (`{"error": {"code", "status", "message"}}`) becomes a ``CloudError``.
public final class GCPClient: Sendable {
    public let settings: GCPSettings
    public let tokens: GCPTokenCache
    public let retry: RetryPolicy
    private let provider: any GCPTokenProvider
    private let transport: any HTTPTransport
    private let sent = Mutex(0)
    private let resolvedProject = Mutex<String?>(nil)

    public init(settings: GCPSettings = GCPSettings(), transport: any HTTPTransport = CurlTransport.shared,
                retry: RetryPolicy = RetryPolicy()) throws(CloudError) {
        self.settings = settings
        self.transport = transport
        self.retry = retry
        provider = try settings.tokenProvider(transport: transport)
        tokens = GCPTokenCache(provider: provider)
    }

    /// HTTP requests sent to the APIs so far (token requests not counted), retries included.
    public var requestsSent: Int { sent.withLock { $0 } }

    /// The project calls go to when none is named.
    public func project() async throws(CloudError) -> String {
        if let p = settings.project ?? resolvedProject.withLock({ $0 }) { return p }
        var found = await provider.projectID()
        if found == nil { found = settings.environment["GOOGLE_CLOUD_PROJECT"] ?? settings.environment["CLOUDSDK_CORE_PROJECT"] }
        guard let found, !found.isEmpty else {
            throw CloudError(.configuration, "no GCP project: set --gcp-project (or gcp.project in the cloud ConfigMap)")
        }
        resolvedProject.withLock { $0 = found }
        return found
    }

    /// `method` on `url` with `query` (repeated keys allowed) and an optional JSON body.
    public func json(_ method: String, _ url: String, query: [(String, String)] = [], body: JSONValue? = nil,
                     operation: String) async throws(CloudError) -> JSONValue {
        let queryString = Percent.canonicalQuery(query)
        let full = url + (queryString.isEmpty ? "" : "?" + queryString)
        let bytes = body.map { $0.serializedBytes() } ?? (method == "POST" ? [] : nil)
        var refreshed = false
        var attempt = 0
        while true {
            attempt += 1
            let token = try await tokens.token()
            var request = HTTPRequest(method: method, url: full, body: bytes, timeout: .seconds(30))
            request.headers.set("Authorization", "Bearer \(token.value)")
            request.headers.set("Accept", "application/json")
            if body != nil { request.headers.set("Content-Type", "application/json") }
            sent.withLock { $0 += 1 }
            let failure: CloudError
            var retryAfter: Duration?
            do {
                let response = try await transport.send(request)
                if (200..<300).contains(response.status) {
                    if response.body.isEmpty { return .emptyObject }
                    guard let json = try? JSONValue(parsing: response.body) else {
                        throw CloudError(.malformed, "the answer is not JSON: \(response.bodyText.prefix(200))", operation: operation)
                    }
                    return json
                }
                failure = Self.decodeError(response, operation: operation)
                retryAfter = RetryPolicy.retryAfter(response.headers["Retry-After"])
            } catch let error as CloudError {
                throw error
            } catch {
                failure = CloudError(.unreachable, "cannot reach \(url): \(error)", operation: operation)
            }
            if failure.httpStatus == 401, !refreshed {
                refreshed = true
                await tokens.invalidate()
                continue
            }
            let transient = failure.kind == .throttled || failure.kind == .unreachable || (failure.httpStatus ?? 0) >= 500
            guard transient, attempt < retry.maxAttempts else { throw failure }
            try? await Task.sleep(for: retry.delay(beforeRetry: attempt, retryAfter: retryAfter))
        }
    }

    /// Every page of a list: `items` reads one page, `nextPageToken` leads to the next.
    public func pages(_ url: String, query: [(String, String)], operation: String,
                      _ each: (JSONValue) throws(CloudError) -> Void) async throws(CloudError) {
        var token: String?
        repeat {
            let page = try await json("GET", url, query: query + (token.map { [("pageToken", $0)] } ?? []), operation: operation)
            try each(page)
            token = page["nextPageToken"].stringValue.flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
    }

    static func decodeError(_ response: HTTPResponse, operation: String) -> CloudError {
        let error = (try? JSONValue(parsing: response.body))?["error"]
        let status = error?["status"].stringValue
        let message = error?["message"].stringValue ?? "HTTP \(response.status): \(response.bodyText.prefix(300))"
        let kind: CloudError.Kind
        switch response.status {
        case 401, 403: kind = .unauthorized
        case 429: kind = .throttled
        default: kind = status == "RESOURCE_EXHAUSTED" ? .throttled : .request
        }
        return CloudError(kind, message, code: status, operation: operation, httpStatus: response.status)
    }
}
