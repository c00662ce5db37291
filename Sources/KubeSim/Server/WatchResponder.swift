import Foundation
import Hummingbird
import KubeClient
import NIOCore

/// Timing of watches: how often bookmarks go out and how long a watch without
/// `timeoutSeconds` lasts (kube-apiserver: about a minute, and 30–60 minutes).
public struct WatchSettings: Sendable {
    public var bookmarkInterval: Duration
    public var defaultTimeout: ClosedRange<Int>

    public init(bookmarkInterval: Duration = .seconds(60), defaultTimeout: ClosedRange<Int> = 1800...3600) {
        self.bookmarkInterval = bookmarkInterval
        self.defaultTimeout = defaultTimeout
    }
}

extension Call {
    /// Streams watch events: HTTP 200, chunked, one JSON event per line.
    func watch(request: Request) throws(APIError) -> Response {
        var options = listOptions
        if let name {
            let pin = "metadata.name=\(name)"
            options.fieldSelector = options.fieldSelector.map { $0.isEmpty ? pin : "\($0),\(pin)" } ?? pin
        }
        let form = try form()
        let watch: StoreWatch
        do {
            watch = try registry.watch(type, namespace: namespace, options: options)
        } catch where error.code == 410 {
            // Like kube-apiserver: the watch is accepted, then ends with one ERROR event.
            let line = WatchLine.encode(type: .error, objectBytes: error.statusBytes)
            return Response(Responses.buffer(line))
        }
        let encoder = WatchEncoder(call: self, form: form)
        let timeout = Duration.seconds(options.timeoutSeconds.flatMap { $0 > 0 ? $0 : nil }
            ?? Int.random(in: api.watchSettings.defaultTimeout))
        let bookmarks = options.allowWatchBookmarks
        let bookmarkInterval = api.watchSettings.bookmarkInterval
        let lease = api.extensions?.watchStarted(type: type, namespace: namespace, stop: { watch.stop() })
        let body = ResponseBody { writer in
            defer { watch.stop(); lease?.end() }
            _ = try? await request.body.consumeWithCancellationOnInboundClose { _ in
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        try? await Task.sleep(for: timeout)
                        watch.stop()
                    }
                    if bookmarks {
                        group.addTask {
                            while !Task.isCancelled {
                                do { try await Task.sleep(for: bookmarkInterval) } catch { return }
                                watch.sendBookmark()
                            }
                        }
                    }
                    var encoder = encoder
                    for await item in watch.events {
                        guard let buffer = encoder.encode(item, allowBookmarks: bookmarks) else { continue }
                        do { try await writer.write(buffer) } catch { break }
                        if case .failure = item { break }
                    }
                    group.cancelAll()
                }
            }
            try await writer.finish(nil)
        }
        var headers = Responses.headers(contentType: "application/json", warnings: [])
        headers[.transferEncoding] = "chunked"
        // Hummingbird closes the connection once a response that watched for the client's
        // hang-up (`consumeWithCancellationOnInboundClose`) ends. Saying so up front keeps a
        // client from reusing the connection for its next request, which the close would
        // then cut off after the server had acted on it.
        headers[.connection] = "close"
        return Response(status: .ok, headers: headers, body: body)
    }
}

/// Encodes watch items for one client, in the form it negotiated.
struct WatchEncoder: Sendable {
    let type: ResourceType
    let version: String
    let form: ResponseForm
    let builder: TableBuilder
    let registry: Registry
    var sentColumns = false

    init(call: Call, form: ResponseForm) {
        self.type = call.type
        self.version = call.version
        self.form = form
        self.registry = call.registry
        self.builder = TableRendering.builder(for: call.type, definition: call.registry.catalog.definition(call.type.groupResource),
                                              version: call.version)
    }

    mutating func encode(_ item: WatchItem, allowBookmarks: Bool) -> ByteBuffer? {
        switch item {
        case .change(let eventType, let object, let line):
            switch form {
            case .object, .discoveryV2:
                if type.storedAs != nil {
                    // Stored as another kind (core Events seen as events.k8s.io Events): converted per watcher.
                    return WatchLine.encode(type: eventType, objectBytes: registry.served(object, type: type, version: version))
                }
                if let line, version == type.storageVersion { return line }
                var bytes = object.bytes
                if version != type.storageVersion {
                    var value = object.object
                    value["apiVersion"] = .string(type.apiVersion(version))
                    bytes = value.serializedBytes()
                }
                return WatchLine.encode(type: eventType, objectBytes: bytes)
            case .partialObjectMetadata:
                return WatchLine.encode(type: eventType,
                                        objectBytes: TableRendering.partialMetadata(object.object).serializedBytes())
            case .table(let includeObject):
                let row = type.storedAs == nil ? object.object : registry.readable(object, type: type)
                let table = builder.table(for: [row], resourceVersion: String(object.resourceVersion),
                                          includeObject: TableRendering.includeObject(includeObject),
                                          includeColumnDefinitions: !sentColumns)
                sentColumns = true
                return WatchLine.encode(type: eventType, objectBytes: table.serializedBytes())
            }
        case .bookmark(let revision, let initialEventsEnd):
            guard allowBookmarks else { return nil }
            var metadata: JSONValue = ["resourceVersion": .string(String(revision))]
            if initialEventsEnd { metadata["annotations"] = ["k8s.io/initial-events-end": "true"] }
            let object: JSONValue = ["kind": .string(type.kind), "apiVersion": .string(type.apiVersion(version)),
                                     "metadata": metadata]
            return WatchLine.encode(type: .bookmark, objectBytes: object.serializedBytes())
        case .failure(let error):
            return WatchLine.encode(type: .error, objectBytes: error.statusBytes)
        }
    }
}
