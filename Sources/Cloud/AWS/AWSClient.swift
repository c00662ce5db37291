import Foundation
import KubeClient
import Synchronization

/// Signed calls to AWS over the project's libcurl transport, which signs them (SigV4).
///
/// Speaks the two protocols the operations need: Query (form POST, XML answer: EC2,
/// CloudWatch, STS) and REST-JSON (EKS). Throttling and transient failures are retried
/// with backoff; an answer that calls the credentials expired drops them and retries once
/// with fresh ones; everything else becomes a ``CloudError`` with AWS's code and text.
public final class AWSClient: Sendable {
    public let region: String
    public let settings: AWSSettings
    public let credentials: AWSCredentialCache
    public let retry: RetryPolicy
    private let shared: AWSSharedConfig
    private let transport: any HTTPTransport
    private let sent = Mutex(0)

    /// Resolves region, endpoints and the credential chain from `settings`; `credentialProvider`
    /// replaces the chain.
    public init(settings: AWSSettings = AWSSettings(), credentialProvider: (any AWSCredentialProvider)? = nil,
                transport: any HTTPTransport = CurlTransport.shared, retry: RetryPolicy = RetryPolicy()) throws(CloudError) {
        let shared = AWSSharedConfig.load(environment: settings.environment)
        let region = try settings.resolvedRegion(shared: shared)
        self.region = region
        self.settings = settings
        self.shared = shared
        self.transport = transport
        self.retry = retry
        credentials = AWSCredentialCache(provider: credentialProvider ?? settings.credentialChain(shared: shared, region: region, transport: transport))
    }

    /// HTTP requests sent so far, retries included.
    public var requestsSent: Int { sent.withLock { $0 } }

    public func endpoint(_ service: AWSService) -> String { settings.endpoint(service, region: region, shared: shared) }

    /// A Query-protocol call: `Action`, `Version` and `parameters` as a form; the XML answer's root.
    public func query(_ service: AWSService, action: String, parameters: [(String, String)] = []) async throws(CloudError) -> XMLTree {
        let operation = "\(service.rawValue):\(action)"
        var form = parameters
        form.append(("Action", action))
        if let version = service.apiVersion { form.append(("Version", version)) }
        let body = Array(Percent.canonicalQuery(form).utf8)
        let url = endpoint(service) + "/"
        let response = try await send(service, operation: operation) { creds in
            var request = HTTPRequest(method: "POST", url: url, body: body, timeout: .seconds(30))
            request.headers.set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
            request.headers.set("Accept", "text/xml")
            return request
        } decodeError: { response in
            guard let xml = try? XMLTree.parse(response.body) else {
                return AWSErrorDecoding.classify(code: nil, message: "HTTP \(response.status): \(response.bodyText.prefix(300))",
                                                 status: response.status, operation: operation)
            }
            return AWSErrorDecoding.queryError(xml, status: response.status, operation: operation)
        }
        do { return try XMLTree.parse(response.body) } catch {
            throw CloudError(.malformed, "\(error)", operation: operation)
        }
    }

    /// A REST-JSON call: `method` on `path` (already escaped) with `query` and an optional JSON body.
    public func json(_ service: AWSService, operation: String, method: String, path: String,
                     query: [(String, String)] = [], body: JSONValue? = nil) async throws(CloudError) -> JSONValue {
        let name = "\(service.rawValue):\(operation)"
        let queryString = Percent.canonicalQuery(query)
        let url = endpoint(service) + path + (queryString.isEmpty ? "" : "?" + queryString)
        let bytes = body?.serializedBytes()
        let response = try await send(service, operation: name) { _ in
            var request = HTTPRequest(method: method, url: url, body: bytes, timeout: .seconds(30))
            request.headers.set("Accept", "application/json")
            if bytes != nil { request.headers.set("Content-Type", "application/json") }
            return request
        } decodeError: { AWSErrorDecoding.jsonError($0, operation: name) }
        if response.body.isEmpty { return .emptyObject }
        do { return try JSONValue(parsing: response.body) } catch {
            throw CloudError(.malformed, "the answer is not JSON: \(response.bodyText.prefix(200))", operation: name)
        }
    }

    /// Sends with signing, retries and the expired-credentials refresh.
    private func send(_ service: AWSService, operation: String, build: (AWSCredentials) -> HTTPRequest,
                      decodeError: (HTTPResponse) -> CloudError) async throws(CloudError) -> HTTPResponse {
        var refreshed = false
        var attempt = 0
        while true {
            attempt += 1
            let creds: AWSCredentials
            do { creds = try await credentials.credentials() } catch let error as CloudError { throw error } catch {
                throw CloudError(.credentials, "\(error)", operation: operation)
            }
            var request = build(creds)
            request.awsSigV4 = AWSSigV4Signing(region: region, service: service.signingName,
                                               accessKeyID: creds.accessKeyID, secretAccessKey: creds.secretAccessKey)
            if let token = creds.sessionToken { request.headers.set("X-Amz-Security-Token", token) }
            sent.withLock { $0 += 1 }
            let failure: CloudError
            var retryAfter: Duration?
            do {
                let response = try await transport.send(request)
                if (200..<300).contains(response.status) { return response }
                failure = decodeError(response)
                retryAfter = RetryPolicy.retryAfter(response.headers["Retry-After"])
            } catch is CancellationError {
                throw CloudError(.unreachable, "cancelled", operation: operation)
            } catch {
                failure = CloudError(.unreachable, "cannot reach \(endpoint(service)): \(error)", operation: operation)
            }
            if AWSErrorDecoding.isExpired(failure), !refreshed {
                refreshed = true
                await credentials.invalidate()
                continue
            }
            guard AWSErrorDecoding.isRetryable(failure), attempt < retry.maxAttempts else {
                if failure.kind == .throttled, attempt > 1 {
                    var exhausted = failure
                    exhausted.message += " (after \(attempt) attempts)"
                    throw exhausted
                }
                throw failure
            }
            try? await Task.sleep(for: retry.delay(beforeRetry: attempt, retryAfter: retryAfter))
            if Task.isCancelled { throw CloudError(.unreachable, "cancelled", operation: operation) }
        }
    }
}
