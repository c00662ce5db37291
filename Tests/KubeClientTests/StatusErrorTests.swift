import Foundation
import Testing
@testable import KubeClient

@Suite struct StatusErrorTests {
    func error(_ code: Int, _ body: String, retryAfter: String? = nil) -> KubeError {
        KubeError.fromResponse(code: code, body: Array(body.utf8), retryAfterHeader: retryAfter)
    }

    @Test func messagesMatchKubeAPIServer() {
        #expect(Status.notFound(resource: "pods", name: "x").message == #"pods "x" not found"#)
        #expect(Status.notFound(resource: "deployments", group: "apps", name: "x").message == #"deployments.apps "x" not found"#)
        #expect(Status.alreadyExists(resource: "deployments", group: "apps", name: "x").message
            == #"deployments.apps "x" already exists"#)
        #expect(Status.conflict(resource: "deployments", group: "apps", name: "x").message
            == "Operation cannot be fulfilled on deployments.apps \"x\": the object has been modified; please apply your changes to the latest version and try again")
        #expect(Status.forbidden(user: "u", verb: "list", resource: "pods", namespace: "default").message
            == #"pods is forbidden: User "u" cannot list resource "pods" in API group "" in the namespace "default""#)
        #expect(Status.forbidden(user: "u", verb: "get", resource: "deployments", group: "apps", name: "web").message
            == #"deployments.apps "web" is forbidden: User "u" cannot get resource "deployments" in API group "apps" at the cluster scope"#)
        let invalid = Status.invalid(
            kind: "Deployment", group: "apps", name: "x",
            errors: [.invalid("spec.replicas", -1, "must be greater than or equal to 0")])
        #expect(invalid.message == #"Deployment.apps "x" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"#)
        #expect(invalid.code == 422)
        #expect(invalid.causes == [StatusCause(reason: "FieldValueInvalid", message: "Invalid value: -1: must be greater than or equal to 0", field: "spec.replicas")])
        let two = Status.invalid(
            kind: "Widget", group: "opsagent.dev", name: "w",
            errors: [.required("spec.image"), .notSupported("spec.mode", "fast", supported: ["a", "b"])])
        #expect(two.message == #"Widget.opsagent.dev "w" is invalid: [spec.image: Required value, spec.mode: Unsupported value: "fast": supported values: "a", "b"]"#)
        #expect(Status.tooOldResourceVersion(requested: "5", current: "120").message == "too old resource version: 5 (120)")
        #expect(Status.methodNotSupported(resource: "pods", action: "PATCH").message == #"PATCH is not supported on resources of kind "pods""#)
        #expect(Status.internalError("boom").message == "Internal error occurred: boom")
        #expect(FieldError.invalid("spec.x", 1.5, "").description == "spec.x: Invalid value: 1.5")
    }

    @Test func statusJSONShape() throws {
        let json = Status.notFound(resource: "pods", name: "x").json
        #expect(json == [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": #"pods "x" not found"#, "reason": "NotFound",
            "details": ["name": "x", "kind": "pods"], "code": 404,
        ])
        #expect(Status(json: json) == Status.notFound(resource: "pods", name: "x"))
        let success = Status.success(name: "x", group: "apps", kind: "deployments", uid: "u1").json
        #expect(success["status"] == "Success")
        #expect(success["code"] == .null)
    }

    @Test func decodesEachReason() {
        let cases: [(StatusReason, Int, (KubeError) -> Bool)] = [
            (.notFound, 404, { $0.isNotFound }),
            (.alreadyExists, 409, { $0.isAlreadyExists }),
            (.conflict, 409, { $0.isConflict }),
            (.invalid, 422, { $0.isInvalid }),
            (.gone, 410, { $0.isGone }),
            (.expired, 410, { $0.isGone }),
            (.forbidden, 403, { $0.isForbidden }),
            (.unauthorized, 401, { $0.isUnauthorized }),
            (.tooManyRequests, 429, { $0.isTooManyRequests && $0.isRetryable }),
            (.serverTimeout, 500, { $0.isTimeout && $0.isRetryable }),
            (.timeout, 504, { $0.isTimeout && $0.isRetryable }),
            (.badRequest, 400, { $0.isBadRequest && !$0.isRetryable }),
            (.methodNotAllowed, 405, { $0.reason == .methodNotAllowed }),
            (.unsupportedMediaType, 415, { $0.reason == .unsupportedMediaType }),
            (.internalError, 500, { $0.reason == .internalError && $0.isRetryable }),
            (.serviceUnavailable, 503, { $0.reason == .serviceUnavailable && $0.isRetryable }),
        ]
        for (reason, code, check) in cases {
            let body = #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"m","reason":"\#(reason.rawValue)","code":\#(code)}"#
            let e = error(code, body)
            #expect(e.status != nil, "\(reason)")
            #expect(e.reason == reason)
            #expect(check(e), "\(reason)")
            #expect(e.httpCode == code)
        }
    }

    @Test func invalidCauses() {
        let body = #"""
        {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
         "message":"Deployment.apps \"web\" is invalid: spec.template.spec.containers[0].image: Required value",
         "reason":"Invalid","details":{"name":"web","group":"apps","kind":"Deployment",
         "causes":[{"reason":"FieldValueRequired","message":"Required value","field":"spec.template.spec.containers[0].image"}]},
         "code":422}
        """#
        let e = error(422, body)
        #expect(e.isInvalid)
        #expect(e.causes == [StatusCause(reason: "FieldValueRequired", message: "Required value", field: "spec.template.spec.containers[0].image")])
        #expect(e.status?.details?.kind == "Deployment")
        #expect(e.description.contains("fix the fields named"))
    }

    @Test func retryAfterFromHeaderOrDetails() {
        let header = error(429, #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"slow down","reason":"TooManyRequests","code":429}"#, retryAfter: "7")
        #expect(header.retryAfter == .seconds(7))
        #expect(header.description.contains("wait 7 s"))
        let details = error(429, #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","reason":"TooManyRequests","details":{"retryAfterSeconds":3},"code":429}"#, retryAfter: "9")
        #expect(details.retryAfter == .seconds(3), "the Status's own hint wins")
        let plain = error(503, "<html>busy</html>", retryAfter: "2")
        #expect(plain.retryAfter == .seconds(2))
        #expect(plain.isRetryable)
        #expect(error(500, "x").retryAfter == nil)
        #expect(KubeError.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == 0)
    }

    @Test func nonStatusBodiesClassifyByCode() {
        let e = error(404, "404 page not found\n")
        guard case .http(let code, let body, _) = e else {
            Issue.record("expected .http, got \(e)")
            return
        }
        #expect(code == 404)
        #expect(body == "404 page not found")
        #expect(e.isNotFound)
        let long = error(502, String(repeating: "x", count: 5000))
        guard case .http(_, let longBody, _) = long else {
            Issue.record("a 502 with a non-Status body should be .http, got \(long)")
            return
        }
        #expect(longBody.count <= KubeError.bodySnippetLimit + 1)
        #expect(long.isRetryable)
        // An unknown reason falls back on the code, as client-go does.
        let odd = error(409, #"{"kind":"Status","apiVersion":"v1","metadata":{},"reason":"Weird","code":409}"#)
        #expect(odd.isConflict)
    }

    @Test func descriptionsSayWhatToDo() {
        let conflict = KubeError.status(Status.conflict(resource: "deployments", group: "apps", name: "x"), httpCode: 409)
        #expect(conflict.description.contains("was modified since you read it; re-read it and apply your change again"))
        #expect(conflict.isConflict && !conflict.isRetryable)
        let transport = KubeError.transport(code: 7, message: "Couldn't connect to server", url: "https://127.0.0.1:6443/api")
        #expect(transport.isRetryable)
        #expect(transport.description.contains("https://127.0.0.1:6443/api"))
        #expect(transport.description.contains("check that the API server is running"))
        #expect(!KubeError.transport(code: 60, message: "SSL peer certificate", url: "u").isRetryable)
        #expect(!KubeError.cancelled.isRetryable)
        #expect(KubeError.status(.notFound(resource: "pods", name: "p"), httpCode: 404).description.hasPrefix(#"pods "p" not found (HTTP 404 NotFound)"#))
    }

    @Test func goQuoting() {
        #expect(goQuote("a\"b\\c\nd") == #""a\"b\\c\nd""#)
        #expect(goQuote("é") == "\"é\"")
        #expect(goQuote("\u{1}") == #""\x01""#)
    }
}
