import KubeClient

/// kube-apiserver's validation of Events (`pkg/apis/core/validation/events.go`), on the core
/// form every Event is stored in, so field paths use core names as kube's do:
///
/// - always (`legacyValidateEvent`): an Event without `eventTime` names an object of its own
///   namespace (or none, in `default`); one with `eventTime` needs `reportingController` (a
///   qualified name), `reportingInstance` (at most 128 characters), `action` and `reason` (at
///   most 128 each), a `message` of at most 1024 characters, and names an object of its
///   namespace unless it is in `default` or `kube-system`;
/// - created through events.k8s.io/v1 (`ValidateEventCreate`): `eventTime` is required, `type`
///   is Normal or Warning, `series` has a count of at least 2 and a `lastObservedTime`, and
///   the deprecated fields (`firstTimestamp`, `lastTimestamp`, `count`, `source`) are unset;
/// - updated through events.k8s.io/v1 (`ValidateEventUpdate`): only `series` (validated
///   again) and metadata may change.
///
/// A valid Event is stored with the zero values Go's encoding of `core/v1.Event` writes
/// (`source: {}`, `firstTimestamp: null`, `reportingComponent: ""`…), as a real server returns it.
struct EventValidation: AdmissionPlugin {
    static let reportingInstanceLimit = 128
    static let actionLimit = 128
    static let reasonLimit = 128
    static let noteLimit = 1024

    func admit(_ object: inout JSONValue, _ request: AdmissionRequest, warnings: inout [String]) throws(APIError) {
        guard request.type.group.isEmpty, request.type.kind == "Event", request.subresource == nil,
              request.operation != .delete else { return }
        let version = request.options.requestAPIVersion ?? "v1"
        let strict = version != "v1" && version != "events.k8s.io/v1beta1"
        var errors = Self.legacyErrors(object, namespace: request.namespace)
        if strict {
            if request.operation == .create {
                errors += Self.strictCreateErrors(object)
            } else if let old = request.oldObject {
                errors += Self.strictUpdateErrors(object, old: old)
            }
        }
        if !errors.isEmpty { throw APIError.invalid(kind: "Event", group: "", name: request.name, errors: errors) }
        Self.writeZeroValues(&object)
    }

    static func text(_ value: JSONValue) -> String { value.stringValue ?? "" }

    static func isSet(_ time: JSONValue) -> Bool { !text(time).isEmpty }

    static func legacyErrors(_ event: JSONValue, namespace: String) -> [FieldError] {
        var errors: [FieldError] = []
        let involvedNamespace = text(event["involvedObject"]["namespace"])
        let mismatch = FieldError.invalid("involvedObject.namespace", .string(involvedNamespace), "does not match event.namespace")
        if !isSet(event["eventTime"]) {
            if involvedNamespace.isEmpty ? !(namespace.isEmpty || namespace == "default") : namespace != involvedNamespace {
                errors.append(mismatch)
            }
        } else {
            if involvedNamespace.isEmpty && namespace != "default" && namespace != "kube-system" { errors.append(mismatch) }
            let controller = text(event["reportingComponent"])
            if controller.isEmpty { errors.append(.required("reportingController")) }
            for problem in qualifiedNameProblems(controller) {
                errors.append(.invalid("reportingController", .string(controller), problem))
            }
            errors += requiredWithLimit(event, "reportingInstance", limit: reportingInstanceLimit)
            errors += requiredWithLimit(event, "action", limit: actionLimit)
            errors += requiredWithLimit(event, "reason", limit: reasonLimit)
            if text(event["message"]).utf8.count > noteLimit {
                errors.append(.invalid("message", "", "can have at most \(noteLimit) characters"))
            }
        }
        for problem in ObjectMetadata.subdomainProblems(namespace) {
            errors.append(.invalid("namespace", .string(namespace), problem))
        }
        return errors
    }

    static func requiredWithLimit(_ event: JSONValue, _ field: String, limit: Int) -> [FieldError] {
        let value = text(event[field])
        if value.isEmpty { return [.required(field)] }
        if value.utf8.count > limit { return [.invalid(field, "", "can have at most \(limit) characters")] }
        return []
    }

    static func strictCreateErrors(_ event: JSONValue) -> [FieldError] {
        var errors = seriesErrors(event)
        if !isSet(event["eventTime"]) { errors.append(.required("eventTime")) }
        let type = text(event["type"])
        if type != "Normal" && type != "Warning" { errors.append(.invalid("type", "", "has invalid value: \(type)")) }
        for field in ["firstTimestamp", "lastTimestamp"] where isSet(event[field]) {
            errors.append(.invalid(field, "", "needs to be unset"))
        }
        if (event["count"].intValue ?? 0) != 0 { errors.append(.invalid("count", "", "needs to be unset")) }
        if !text(event["source"]["component"]).isEmpty || !text(event["source"]["host"]).isEmpty {
            errors.append(.invalid("source", "", "needs to be unset"))
        }
        return errors
    }

    static func seriesErrors(_ event: JSONValue) -> [FieldError] {
        let series = event["series"]
        guard !series.isNull else { return [] }
        var errors: [FieldError] = []
        if (series["count"].intValue ?? 0) < 2 { errors.append(.invalid("series.count", "", "should be at least 2")) }
        if !isSet(series["lastObservedTime"]) { errors.append(.required("series.lastObservedTime")) }
        return errors
    }

    /// The fields `ValidateEventUpdate` keeps immutable, by the path it reports (kube lists
    /// `reason` twice, so a changed reason is reported twice).
    static let immutableFields: [(path: String, field: String)] = [
        ("involvedObject", "involvedObject"), ("reason", "reason"), ("message", "message"), ("source", "source"),
        ("firstTimestamp", "firstTimestamp"), ("lastTimestamp", "lastTimestamp"), ("count", "count"),
        ("reason", "reason"), ("type", "type"), ("eventTime", "eventTime"), ("action", "action"),
        ("related", "related"), ("reportingController", "reportingComponent"),
        ("reportingInstance", "reportingInstance"),
    ]

    static func strictUpdateErrors(_ event: JSONValue, old: JSONValue) -> [FieldError] {
        var errors: [FieldError] = []
        if semantic(event["series"]) != semantic(old["series"]) { errors += seriesErrors(event) }
        for (path, field) in immutableFields where semantic(event[field]) != semantic(old[field]) {
            errors.append(.invalid(path, event[field], "field is immutable"))
        }
        return errors
    }

    /// A value as Go compares its typed form: zero values ("" , 0, false, {}, null) alike.
    static func semantic(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let s) where s.isEmpty: return .null
        case .int(0), .bool(false): return .null
        case .object(let members):
            let kept = members.compactMapValues { member -> JSONValue? in
                let reduced = semantic(member)
                return reduced.isNull ? nil : reduced
            }
            return kept.isEmpty ? .null : .object(kept)
        default: return value
        }
    }

    /// `validation.IsQualifiedName`: `[prefix/]name`, the name at most 63 characters of
    /// alphanumerics, '-', '_' and '.', starting and ending alphanumeric; the prefix a DNS subdomain.
    static func qualifiedNameProblems(_ value: String) -> [String] {
        let pattern = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        var problems: [String] = []
        let name: Substring
        switch parts.count {
        case 1:
            name = parts[0]
        case 2:
            if parts[0].isEmpty {
                problems.append("prefix part must be non-empty")
            } else {
                problems += ObjectMetadata.subdomainProblems(String(parts[0])).map { "prefix part " + $0 }
            }
            name = parts[1]
        default:
            return ["a qualified name " + pattern + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
        }
        if name.isEmpty {
            problems.append("name part must be non-empty")
        } else if name.utf8.count > 63 {
            problems.append("name part must be no more than 63 characters")
        }
        if !isQualifiedNamePart(name) { problems.append("name part " + pattern) }
        return problems
    }

    /// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`.
    static func isQualifiedNamePart(_ name: Substring) -> Bool {
        func alphanumeric(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) }
        let bytes = name.utf8
        guard let first = bytes.first, let last = bytes.last, alphanumeric(first), alphanumeric(last) else { return false }
        return bytes.allSatisfy { alphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    /// The members Go's encoding of `core/v1.Event` writes even when they are zero.
    static func writeZeroValues(_ event: inout JSONValue) {
        for field in ["involvedObject", "source"] where event[field].isNull { event[field] = .emptyObject }
        for field in ["reportingComponent", "reportingInstance"] where event[field].isNull { event[field] = "" }
        for field in ["firstTimestamp", "lastTimestamp", "eventTime"] where event[field].isNull {
            event.setValue(.null, forKey: field)
        }
    }
}
