import Analysis
import Foundation
import KubeClient
import OperatorKit
import OpsAPI

/// `http.request {url, method, body, expectStatus}` through the operator's libcurl transport.
/// The request carries `Idempotency-Key: <run uid>/<step>` so a receiver can drop a repeat;
/// methods other than GET/HEAD/PUT/DELETE are not idempotent by HTTP's own rules, so such a
/// request that was in flight when the operator died is not sent again (the step fails).
struct HTTPRequestAction: StepAction {
    static let id = "http.request"
    let method: String
    var resumable: Bool { ["GET", "HEAD", "PUT", "DELETE"].contains(method) }

    func run(_ context: ActionContext) async -> ActionOutcome {
        await .catching {
            guard let url = context.string("url"), url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw ActionError("parameters.url must be an http:// or https:// URL")
            }
            var headers: HTTPHeaders = ["Idempotency-Key": context.idempotencyKey]
            let body = context.string("body").map { Array($0.utf8) }
            if body != nil { headers.set("Content-Type", "application/json") }
            let timeout = Duration.seconds(context.step.timeoutSeconds ?? 30)
            let response = try await context.operatorContext.configuration.transport.send(
                HTTPRequest(method: method, url: url, headers: headers, body: body, timeout: timeout))
            let text = String(decoding: response.body.prefix(StepStatus.maxOutputLength), as: UTF8.self)
            let outputs = ["status": "\(response.status)", "body": text]
            let expected = context.int("expectStatus")
            let ok = expected.map { $0 == response.status } ?? (200..<300).contains(response.status)
            return ok ? .succeeded(outputs) : .failed("\(method) answered HTTP \(response.status)\(expected.map { " (expected \($0))" } ?? "")", outputs)
        }
    }
}

/// `llm.analyze {question}`: the operator's analyzer (an LLM when configured, else the
/// built-in rules) answers the question over the target's facts — pods, Events, log tails,
/// redacted before anything leaves the cluster. Read-only.
struct LLMAnalyze: StepAction {
    static let id = "llm.analyze"

    func run(_ context: ActionContext) async -> ActionOutcome {
        let result = await analyzeIncident(context) { name, namespace in
            context.string("question") ?? "What is the state of \(name ?? namespace)?"
        }
        return .succeeded(["verdict": result.verdict.rawValue, "summary": result.summary, "provider": result.provider])
    }
}
