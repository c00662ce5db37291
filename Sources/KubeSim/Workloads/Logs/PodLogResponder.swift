import Foundation
import HTTPTypes
import Hummingbird
import KubeClient
import NIOCore

/// Serves `GET /api/v1/namespaces/{ns}/pods/{name}/log` for `kubectl logs`: `container`,
/// `tailLines`, `sinceSeconds`, `sinceTime`, `timestamps`, `previous`, `limitBytes` and
/// `follow` (which streams new lines until the container stops or the client goes away).
struct PodLogResponder: SubresourceResponder {
    let logs: PodLogs

    func respond(to request: SubresourceRequest) async throws(APIError) -> Response {
        guard request.method == .get else {
            throw APIError.methodNotSupported(WorkloadResource.pods, verb: request.method.rawValue)
        }
        let query = request.query
        var options = PodLogs.Options()
        options.container = query["container"]
        options.tailLines = try Self.int(query, "tailLines")
        options.sinceSeconds = try Self.int(query, "sinceSeconds")
        options.limitBytes = try Self.int(query, "limitBytes")
        options.timestamps = query.bool("timestamps") ?? false
        options.previous = query.bool("previous") ?? false
        options.follow = query.bool("follow") ?? false
        if let text = query["sinceTime"] {
            guard let date = KubeTimestamp.parse(text) else { throw APIError.badRequest("invalid sinceTime \(text)") }
            options.sinceTime = date
        }
        if options.sinceSeconds != nil && options.sinceTime != nil {
            throw APIError.badRequest("at most one of sinceTime or sinceSeconds may be specified")
        }
        let script = try logs.script(namespace: request.namespace, name: request.name, options: options)
        let now = logs.clock.now
        let lines = logs.select(script, options: options, now: now)
        var headers = HTTPFields()
        headers[.contentType] = "text/plain"
        headers[.cacheControl] = "no-cache, private"

        if !options.follow || options.previous || !logs.isStillRunning(script) {
            var text = lines.map { PodLogs.render($0, timestamps: options.timestamps) }.joined()
            if let limit = options.limitBytes, text.utf8.count > limit {
                text = String(decoding: Array(text.utf8.prefix(limit)), as: UTF8.self)
            }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        let logs = self.logs
        let timestamps = options.timestamps
        let limit = options.limitBytes
        let body = ResponseBody { writer in
            var sent = 0
            var last = lines.last?.time ?? script.since
            func send(_ batch: [LogLine]) async throws -> Bool {
                for line in batch {
                    var text = PodLogs.render(line, timestamps: timestamps)
                    if let limit {
                        if sent >= limit { return false }
                        if sent + text.utf8.count > limit { text = String(decoding: Array(text.utf8.prefix(limit - sent)), as: UTF8.self) }
                    }
                    sent += text.utf8.count
                    try await writer.write(ByteBuffer(string: text))
                }
                return true
            }
            do {
                guard try await send(lines) else { try await writer.finish(nil); return }
                while !Task.isCancelled && logs.isStillRunning(script) {
                    try await Task.sleep(for: .seconds(max(0.01, script.period)))
                    let fresh = script.lines(until: logs.clock.now).filter { $0.time > last }
                    if let newest = fresh.last?.time { last = newest }
                    guard try await send(fresh) else { break }
                }
                // The run ended: send how it ended.
                if let ended = try? logs.script(namespace: script.pod.namespace, name: script.pod.name,
                                                options: .init(container: script.container.name)),
                   ended.since == script.since {
                    _ = try await send(ended.lines(until: logs.clock.now).filter { $0.time > last })
                }
            } catch {
                // The client went away.
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    private static func int(_ query: QueryParameters, _ name: String) throws(APIError) -> Int? {
        guard let text = query[name] else { return nil }
        guard let value = Int(text), value >= 0 else {
            throw APIError.badRequest("invalid \(name) \"\(text)\": must be a non-negative integer")
        }
        return value
    }
}
