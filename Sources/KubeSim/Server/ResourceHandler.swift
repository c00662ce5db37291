import Foundation
import Hummingbird
import KubeClient
import NIOCore

/// Serves requests to resources, collections and subresources: resolves the type,
/// derives the verb, authorizes, and dispatches to the registry.
struct ResourceHandler: Sendable {
    let api: APIServices

    /// A resource request resolved against the catalog and authorized.
    struct Resolved {
        var path: APIRoute.ResourcePath
        var type: ResourceType
        var verb: String
        var query: QueryParameters
        var namespace: String { path.namespace ?? "" }
    }

    /// Finds the type, derives the verb and authorizes it: everything that needs neither the
    /// body nor a wait.
    func resolve(_ path: APIRoute.ResourcePath, method: HTTPRequest.Method, query: QueryParameters,
                 user: UserInfo) throws(APIError) -> Resolved {
        guard let type = api.registry.catalog.type(group: path.group, version: path.version, resource: path.resource) else {
            throw APIError.pathNotFound()
        }
        if path.namespace != nil && !type.namespaced { throw APIError.pathNotFound() }
        if let sub = path.subresource, type.subresource(sub) == nil { throw APIError.pathNotFound() }
        let isWatch = Self.isWatch(path, query: query)
        let verb: String
        switch method {
        case .get, .head: verb = isWatch ? "watch" : (path.name == nil ? "list" : "get")
        case .post: verb = "create"
        case .put: verb = "update"
        case .patch: verb = "patch"
        case .delete: verb = path.name == nil ? "deletecollection" : "delete"
        default: throw APIError.methodNotSupported(type.groupResource, verb: method.rawValue)
        }
        if path.watchPrefix && method != .get { throw APIError.methodNotSupported(type.groupResource, verb: verb) }
        let namespace = path.namespace ?? ""
        let attributes = AuthorizationAttributes(user: user, verb: verb, apiGroup: type.group, apiVersion: path.version,
                                                 resource: type.resource, subresource: path.subresource ?? "",
                                                 namespace: type.namespaced ? namespace : "", name: path.name ?? "")
        guard api.authorizer.authorize(attributes).allowed else {
            throw APIError.forbidden(GroupResource(group: type.group, resource: path.subresource.map { "\(type.resource)/\($0)" } ?? type.resource),
                                     name: path.name ?? "", attributes.forbiddenReason)
        }
        let allowedVerbs = path.subresource.flatMap { type.subresource($0)?.verbs } ?? type.verbs
        let checkedVerb = verb == "watch" && path.name != nil ? "watch" : verb
        if path.subresource == nil, !allowedVerbs.contains(checkedVerb) {
            throw APIError.methodNotSupported(type.groupResource, verb: verb)
        }
        return Resolved(path: path, type: type, verb: verb, query: query)
    }

    static func isWatch(_ path: APIRoute.ResourcePath, query: QueryParameters) -> Bool {
        path.watchPrefix || query.bool("watch") == true
    }

    /// The responder of its own a subresource has (`pods/log`, `serviceaccounts/token`), if any.
    func subresourceResponder(_ path: APIRoute.ResourcePath) -> (any SubresourceResponder)? {
        guard let sub = path.subresource, !api.subresources.isEmpty else { return nil }
        return api.subresources["\(path.resource)/\(sub)"]
    }

    func call(_ resolved: Resolved, headers: HTTPFields, body: [UInt8], user: UserInfo) -> Call {
        Call(api: api, type: resolved.type, version: resolved.path.version, namespace: resolved.namespace,
             name: resolved.path.name, subresource: resolved.path.subresource, query: resolved.query,
             headers: headers, body: body, user: user)
    }

    /// Answers every verb but watch, for subresources without a responder of their own.
    func answer(_ resolved: Resolved, headers: HTTPFields, body: [UInt8], user: UserInfo) throws(APIError) -> Reply {
        let call = call(resolved, headers: headers, body: body, user: user)
        switch resolved.verb {
        case "list": return try call.list()
        case "get": return try call.get()
        case "create": return try call.create()
        case "update": return try call.update()
        case "patch": return try call.patch()
        case "delete": return try call.delete()
        case "deletecollection": return try call.deleteCollection()
        default: throw APIError.methodNotSupported(resolved.type.groupResource, verb: resolved.verb)
        }
    }

    /// The async path: every resource request the event loop does not answer itself.
    func handle(_ path: APIRoute.ResourcePath, request: inout Request, user: UserInfo) async throws(APIError) -> Response {
        let resolved = try resolve(path, method: request.method, query: QueryParameters(request.uri.query), user: user)
        let body = try await Self.readBody(&request, method: request.method)
        if let responder = subresourceResponder(path) {
            return try await responder.respond(to: SubresourceRequest(
                method: request.method, type: resolved.type, version: path.version, namespace: resolved.namespace,
                name: path.name ?? "", subresource: path.subresource ?? "", query: resolved.query, body: body, user: user,
                registry: api.registry))
        }
        if resolved.verb == "watch" {
            return try call(resolved, headers: request.headers, body: body, user: user).watch(request: request)
        }
        return Response(try answer(resolved, headers: request.headers, body: body, user: user))
    }

    /// The largest request body served (kube-apiserver accepts 3 MiB objects).
    static let maxBodySize = 3 * 1024 * 1024

    static func bodyTooLarge(_ reason: String) -> APIError {
        APIError(code: 413, reason: "RequestEntityTooLarge",
                 message: "the request body is too large or could not be read: \(reason)")
    }

    /// Whether a request of `method` has a body the handlers read (a GET's is ignored).
    static func carriesBody(_ method: HTTPRequest.Method) -> Bool {
        method == .post || method == .put || method == .patch || method == .delete
    }

    static func readBody(_ request: inout Request, method: HTTPRequest.Method) async throws(APIError) -> [UInt8] {
        guard carriesBody(method) else { return [] }
        do {
            let buffer = try await request.collectBody(upTo: maxBodySize)
            return Array(buffer.readableBytesView)
        } catch {
            throw bodyTooLarge("\(error)")
        }
    }
}

/// One resource request being served.
struct Call {
    let api: APIServices
    let type: ResourceType
    let version: String
    let namespace: String
    let name: String?
    let subresource: String?
    let query: QueryParameters
    let headers: HTTPFields
    let body: [UInt8]
    let user: UserInfo

    var registry: Registry { api.registry }
    var accept: String? { headers[.accept] }

    // MARK: Options from the query string

    var listOptions: StoreListOptions {
        var options = StoreListOptions(labelSelector: query["labelSelector"], fieldSelector: query["fieldSelector"],
                                  resourceVersion: query["resourceVersion"],
                                  resourceVersionMatch: query["resourceVersionMatch"],
                                  limit: query.int("limit"), continueToken: query["continue"])
        options.allowWatchBookmarks = query.bool("allowWatchBookmarks") ?? false
        options.timeoutSeconds = query.int("timeoutSeconds")
        options.sendInitialEvents = query.bool("sendInitialEvents")
        return options
    }

    /// The write's options; `duplicateFields` are the keys its body repeated.
    func writeOptions(duplicateFields: [String] = []) throws(APIError) -> WriteOptions {
        var options = WriteOptions()
        options.duplicateFields = duplicateFields
        options.dryRun = try dryRun()
        if let manager = query["fieldManager"], !manager.isEmpty {
            options.fieldManager = manager
        } else if let agent = headers[.userAgent], !agent.isEmpty {
            // kube-apiserver names the manager after the client: the user agent up to its first '/'.
            options.fieldManager = String(agent.prefix { $0 != "/" }.prefix(128))
            options.fieldManagerFromUserAgent = true
        }
        switch query["fieldValidation"] {
        case nil, "": options.fieldValidation = .warn
        case "Strict"?: options.fieldValidation = .strict
        case "Warn"?: options.fieldValidation = .warn
        case "Ignore"?: options.fieldValidation = .ignore
        case let other?:
            throw APIError.badRequest("fieldValidation parameter unsupported: \(other)")
        }
        options.force = query.bool("force") ?? false
        return options
    }

    func dryRun() throws(APIError) -> Bool {
        guard let value = query["dryRun"], !value.isEmpty else { return false }
        guard value == "All" else {
            throw APIError.badRequest("dryRun: Unsupported value: \"\(value)\": supported values: \"All\"")
        }
        return true
    }

    // MARK: Bodies

    /// The body as JSON, with the keys it repeated within one object (JSON bodies only:
    /// protobuf cannot repeat a field, and kubectl refuses YAML that does).
    func decodedBodyNotingDuplicates() throws(APIError) -> (object: JSONValue, duplicates: [String]) {
        if body.isEmpty { throw APIError.badRequest("the body of the request is empty") }
        let contentType = headers[.contentType]?.lowercased() ?? "application/json"
        if contentType.hasPrefix("application/vnd.kubernetes.protobuf") {
            do {
                return (try KubernetesProtobuf.decode(body), [])
            } catch .unsupported(let why) {
                throw APIError(code: 415, reason: "UnsupportedMediaType", message: why)
            } catch {
                throw APIError.badRequest("\(error)")
            }
        }
        if let parsed = try? JSONValue.parsingNotingDuplicates(body) { return (parsed.value, parsed.duplicateKeys) }
        if contentType.contains("yaml"), let value = try? YAML.decode(String(decoding: body, as: UTF8.self)) {
            return (value, [])
        }
        throw APIError.badRequest("the body of the request could not be decoded as \(contentType.contains("yaml") ? "YAML" : "JSON")")
    }

    // MARK: Serving objects

    func form() throws(APIError) -> ResponseForm {
        try ContentNegotiation.resourceForm(accept: accept, includeObject: query["includeObject"])
    }

    func respond(_ object: StoredObject, status: HTTPResponse.Status = .ok, warnings: [String] = []) throws(APIError) -> Reply {
        switch try form() {
        case .object, .discoveryV2:
            return Responses.json(registry.served(object, type: type, version: version), status: status, warnings: warnings)
        case .partialObjectMetadata(let list):
            if list { throw ContentNegotiation.partialMetadataMismatch(type: type, isList: false) }
            return Responses.json(TableRendering.partialMetadata(registry.readable(object, type: type)), status: status,
                                  warnings: warnings)
        case .table(let includeObject):
            let builder = TableRendering.builder(for: type, definition: registry.catalog.definition(type.groupResource),
                                                 version: version)
            let table = builder.table(for: [registry.readable(object, type: type)], resourceVersion: String(object.resourceVersion),
                                      includeObject: TableRendering.includeObject(includeObject))
            return Responses.json(table, status: status, warnings: warnings)
        }
    }

    func get() throws(APIError) -> Reply {
        // `resourceVersion=N`: not older than N, by the rules of a list. The store is always
        // current, so only a version it has not reached is refused, as the watch cache does.
        _ = try Registry.listRevision(StoreListOptions(resourceVersion: query["resourceVersion"]), current: registry.store.revision)
        let object = try registry.get(type, namespace: namespace, name: name!)
        if subresource == "scale" { return Responses.json(try Scale.of(object.object, type: type)) }
        return try respond(object)
    }

    func list() throws(APIError) -> Reply {
        let form = try form()
        if case .partialObjectMetadata(list: false) = form {
            throw ContentNegotiation.partialMetadataMismatch(type: type, isList: true)
        }
        let (page, token) = try registry.list(type, namespace: namespace, options: listOptions)
        switch form {
        case .object, .discoveryV2:
            let items = page.items.map { registry.served($0, type: type, version: version) }
            return Responses.buffer(Responses.list(items: items, apiVersion: type.apiVersion(version), kind: type.listKind,
                                                   revision: page.revision, continueToken: token,
                                                   remainingItemCount: page.remainingItemCount))
        case .partialObjectMetadata:
            let items = page.items.map { TableRendering.partialMetadata($0.object).serializedBytes() }
            return Responses.buffer(Responses.list(items: items, apiVersion: "meta.k8s.io/v1",
                                                   kind: "PartialObjectMetadataList", revision: page.revision,
                                                   continueToken: token, remainingItemCount: page.remainingItemCount))
        case .table(let includeObject):
            let builder = TableRendering.builder(for: type, definition: registry.catalog.definition(type.groupResource),
                                                 version: version)
            let table = builder.table(for: page.items.map { registry.readable($0, type: type) }, resourceVersion: String(page.revision),
                                      continueToken: token, remainingItemCount: page.remainingItemCount.map(Int64.init),
                                      includeObject: TableRendering.includeObject(includeObject))
            return Responses.json(table)
        }
    }

    func create() throws(APIError) -> Reply {
        if let subresource {
            throw APIError.methodNotSupported(GroupResource(group: type.group, resource: "\(type.resource)/\(subresource)"),
                                              verb: "create")
        }
        if name != nil { throw APIError.methodNotSupported(type.groupResource, verb: "create") }
        let (object, duplicates) = try decodedBodyNotingDuplicates()
        if type.isVirtual {
            let answer = try api.reviews.review(object, type: type, namespace: namespace, user: user)
            return Responses.json(answer, status: .created)
        }
        let options = try writeOptions(duplicateFields: duplicates)
        let result = try registry.create(type, namespace: namespace, object: object, version: version, options: options)
        return try respond(result.object, status: .created, warnings: result.warnings)
    }

    func update() throws(APIError) -> Reply {
        guard let name else { throw APIError.methodNotSupported(type.groupResource, verb: "update") }
        let (object, duplicates) = try decodedBodyNotingDuplicates()
        let options = try writeOptions(duplicateFields: duplicates)
        switch subresource {
        case "scale"?:
            let scale = try Scale.update(object, type: type, namespace: namespace, name: name, registry: registry,
                                         options: options)
            return Responses.json(scale)
        case "finalize"?:
            let finalizers = object["spec"]["finalizers"]
            let result = try registry.guaranteedUpdate(type, namespace: namespace, name: name, subresource: nil,
                                                       options: options, precondition: nil) { current throws(APIError) in
                var updated = current ?? .emptyObject
                updated[path: ["spec", "finalizers"]] = finalizers
                return updated
            }
            return try respond(result.object, warnings: result.warnings)
        default:
            let result = try registry.update(type, namespace: namespace, name: name, object: object,
                                             subresource: subresource, version: version, options: options)
            return try respond(result.object, status: result.created ? .created : .ok, warnings: result.warnings)
        }
    }

    func patch() throws(APIError) -> Reply {
        guard let name else { throw APIError.methodNotSupported(type.groupResource, verb: "patch") }
        let contentType = headers[.contentType] ?? ""
        guard let patchType = PatchType(contentType: contentType) else {
            throw APIError.unsupportedMediaType(contentType, accepted: PatchType.allCases.map(\.rawValue))
        }
        let options = try writeOptions()
        if subresource == "scale" {
            let scale = try Scale.patch(body, patchType: patchType, type: type, namespace: namespace, name: name,
                                        registry: registry, options: options)
            return Responses.json(scale)
        }
        let result = try registry.patch(type, namespace: namespace, name: name, patchType: patchType, body: body,
                                        subresource: subresource, options: options)
        return try respond(result.object, status: result.created ? .created : .ok, warnings: result.warnings)
    }

    func deleteOptions() throws(APIError) -> StoreDeleteOptions {
        var options = StoreDeleteOptions()
        if !body.isEmpty, let decoded = try? JSONValue(parsing: body), case .object = decoded {
            if let policy = decoded["propagationPolicy"].stringValue {
                guard let parsed = PropagationPolicy(rawValue: policy) else {
                    throw APIError.badRequest("propagationPolicy: Unsupported value: \"\(policy)\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"")
                }
                options.propagationPolicy = parsed
            }
            options.orphanDependents = decoded["orphanDependents"].boolValue
            options.preconditionUID = decoded["preconditions"]["uid"].stringValue
            options.preconditionResourceVersion = decoded["preconditions"]["resourceVersion"].stringValue
            options.gracePeriodSeconds = decoded["gracePeriodSeconds"].intValue
            if let dryRun = decoded["dryRun"].arrayValue, dryRun.contains("All") { options.dryRun = true }
        }
        if let policy = query["propagationPolicy"], !policy.isEmpty {
            guard let parsed = PropagationPolicy(rawValue: policy) else {
                throw APIError.badRequest("propagationPolicy: Unsupported value: \"\(policy)\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"")
            }
            options.propagationPolicy = parsed
        }
        if let orphan = query.bool("orphanDependents") { options.orphanDependents = orphan }
        if let grace = query.int("gracePeriodSeconds") { options.gracePeriodSeconds = grace }
        if try dryRun() { options.dryRun = true }
        return options
    }

    func delete() throws(APIError) -> Reply {
        guard let name, subresource == nil else { throw APIError.methodNotSupported(type.groupResource, verb: "delete") }
        let options = try deleteOptions()
        switch try registry.delete(type, namespace: namespace, name: name, options: options) {
        case .deleted(let object):
            if type.returnsDeletedObject { return try respond(object) }
            // A type stored as another answers as the stored resource does (events.k8s.io Events as `events`).
            let named = registry.storageType(of: type) ?? type
            let details = APIError.Details(name: name, group: named.group, kind: named.resource, uid: object.uid)
            return Responses.json(Array(APIError.encodeStatus(status: "Success", message: "", reason: "", details: details,
                                                              code: 0).utf8))
        case .pending(let object):
            return try respond(object, status: options.orphanDependents == false ? .accepted : .ok)
        }
    }

    func deleteCollection() throws(APIError) -> Reply {
        let deleted = try registry.deleteCollection(type, namespace: namespace, listOptions: listOptions,
                                                    options: try deleteOptions())
        let items = deleted.map { registry.served($0, type: type, version: version) }
        return Responses.buffer(Responses.list(items: items, apiVersion: type.apiVersion(version), kind: type.listKind,
                                               revision: registry.store.revision, continueToken: nil,
                                               remainingItemCount: nil))
    }
}
