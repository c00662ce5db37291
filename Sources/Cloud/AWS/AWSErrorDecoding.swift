import Foundation
import KubeClient

/// Turns AWS error answers into ``CloudError``s and classifies them for retries.
enum AWSErrorDecoding {
    static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "RequestLimitExceeded", "ProvisionedThroughputExceededException", "RequestThrottled", "SlowDown", "EC2ThrottledException",
    ]
    static let expiredCodes: Set<String> = ["ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"]
    static let authCodes: Set<String> = [
        "AuthFailure", "UnauthorizedOperation", "AccessDenied", "AccessDeniedException", "InvalidClientTokenId",
        "SignatureDoesNotMatch", "UnrecognizedClientException", "InvalidSignatureException", "MissingAuthenticationToken",
    ]

    /// The Query protocol's `<Response><Errors><Error>` (EC2) or `<ErrorResponse><Error>` (others).
    static func queryError(_ xml: XMLTree, status: Int, operation: String) -> CloudError {
        let error = xml.descendants(named: "Error").first
        let code = error?.string("Code")
        let message = error?.string("Message") ?? "HTTP \(status) without an error message"
        return classify(code: code, message: message, status: status, operation: operation)
    }

    /// REST-JSON: the code in `x-amzn-ErrorType` or the body's `__type`/`code`, before any `:`.
    static func jsonError(_ response: HTTPResponse, operation: String) -> CloudError {
        let json = try? JSONValue(parsing: response.body)
        let rawCode = response.headers["x-amzn-ErrorType"] ?? json?["__type"].stringValue ?? json?["code"].stringValue
        let code = rawCode.map { String($0.split(separator: ":").first ?? "") }.map { String($0.split(separator: "#").last ?? "") }
        let message = json?["message"].stringValue ?? json?["Message"].stringValue
            ?? (response.body.isEmpty ? "HTTP \(response.status)" : String(response.bodyText.prefix(300)))
        return classify(code: code, message: message, status: response.status, operation: operation)
    }

    static func classify(code: String?, message: String, status: Int, operation: String) -> CloudError {
        let kind: CloudError.Kind
        if let code, throttlingCodes.contains(code) || status == 429 { kind = .throttled }
        else if let code, expiredCodes.contains(code) || authCodes.contains(code) { kind = .unauthorized }
        else if status == 401 || status == 403 { kind = .unauthorized }
        else if status == 429 { kind = .throttled }
        else { kind = .request }
        return CloudError(kind, message, code: code, operation: operation, httpStatus: status)
    }

    static func isExpired(_ error: CloudError) -> Bool { error.code.map(expiredCodes.contains) ?? false }

    /// Worth another attempt: throttling, and the server's own transient failures.
    static func isRetryable(_ error: CloudError) -> Bool {
        error.kind == .throttled || error.kind == .unreachable
            || (error.httpStatus.map { $0 == 500 || $0 == 502 || $0 == 503 || $0 == 504 } ?? false)
    }
}
