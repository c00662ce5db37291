import HTTPTypes
import Hummingbird
import KubeClient

/// The fault admin endpoint:
///
/// | request | effect |
/// |---|---|
/// | `GET /admin/faults` | `{"rules": [...]}`: the faults in force |
/// | `POST /admin/faults` with a rule | puts it in force; answers it with its id (201) |
/// | `PUT /admin/faults` with `{"rules": [...]}` | replaces every rule |
/// | `DELETE /admin/faults` | ends every fault |
/// | `DELETE /admin/faults/{id}` | ends one |
/// | `POST /admin/faults/close-watches` | ends every running watch now |
/// | `POST /admin/faults/compact` | compacts the watch history now |
///
/// A rule: `{"kind": "error", "code": 503, "retryAfterSeconds": 2, "verbs": ["list"],
/// "resources": ["pods"], "namespaces": ["default"], "probability": 0.5, "times": 10}`;
/// kinds `error`, `latency` (`latencyMilliseconds`), `conflict`, `close-watches`
/// (`everySeconds`), `compact` (`everySeconds`, or once), `pause` (`seconds`).
struct FaultAdmin: Sendable {
    static let path = "/admin/faults"
    let faults: FaultInjector

    func respond(method: HTTPRequest.Method, path: String, body: [UInt8]) throws(APIError) -> Reply {
        let rest = path.dropFirst(Self.path.count).split(separator: "/").map(String.init)
        switch (method, rest.first) {
        case (.get, nil):
            return Responses.json(list(faults.rules))
        case (.post, nil):
            let rule = try decode(body)
            do {
                return Responses.json(try faults.add(rule).json, status: .created)
            } catch {
                throw APIError.badRequest("invalid fault: \(error)")
            }
        case (.put, nil):
            let value = try parse(body)
            guard let items = value["rules"].arrayValue else {
                throw APIError.badRequest("the body must be {\"rules\": [...]}")
            }
            var rules: [FaultRule] = []
            for item in items {
                do { rules.append(try FaultRule(json: item)) } catch { throw APIError.badRequest("invalid fault: \(error)") }
            }
            do {
                return Responses.json(list(try faults.replace(with: rules)))
            } catch {
                throw APIError.badRequest("invalid fault: \(error)")
            }
        case (.delete, nil):
            _ = try? faults.replace(with: [])
            return Responses.json(list([]))
        case (.delete, let id?) where rest.count == 1:
            guard faults.remove(id: id) else {
                throw APIError(code: 404, reason: "NotFound", message: "fault \"\(id)\" not found")
            }
            return Responses.json(list(faults.rules))
        case (.post, "close-watches") where rest.count == 1:
            let count = faults.runningWatches
            faults.closeAllWatches()
            return Responses.json(["closedWatches": .int(Int64(count))])
        case (.post, "compact") where rest.count == 1:
            return Responses.json(["compactedRevision": .string(String(faults.compactNow()))])
        default:
            throw APIError(code: 405, reason: "MethodNotAllowed",
                           message: "\(method.rawValue) \(path) is not supported; see GET \(Self.path)")
        }
    }

    private func list(_ rules: [FaultRule]) -> JSONValue {
        ["rules": .array(rules.map(\.json))]
    }

    private func parse(_ body: [UInt8]) throws(APIError) -> JSONValue {
        do { return try JSONValue(parsing: body) } catch { throw APIError.badRequest("the body is not JSON: \(error)") }
    }

    private func decode(_ body: [UInt8]) throws(APIError) -> FaultRule {
        do { return try FaultRule(json: try parse(body)) } catch { throw APIError.badRequest("invalid fault: \(error)") }
    }
}
