import Foundation
import KubeClient

/// Helpers for the `metadata` the server owns: uids, timestamps, generated names, name rules.
enum ObjectMetadata {
    static func newUID() -> String { UUID().uuidString.lowercased() }

    static func timestamp(_ date: Date = Date()) -> JSONValue { .string(KubeTimestamp.format(date)) }

    /// `generateName` plus five characters from the alphabet kube-apiserver uses.
    static func generatedName(prefix: String) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        let base = prefix.count > 58 ? String(prefix.prefix(58)) : prefix
        return base + String((0..<5).map { _ in alphabet.randomElement()! })
    }

    /// DNS-1123 subdomain: lowercase alphanumerics, '-' and '.', at most 253 characters.
    static func subdomainProblems(_ name: String) -> [String] {
        var problems: [String] = []
        if name.count > 253 { problems.append("must be no more than 253 characters") }
        if !name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy(isLabel) {
            problems.append("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
        }
        return problems
    }

    /// DNS-1123 label: lowercase alphanumerics and '-', at most 63 characters.
    static func labelProblems(_ name: String) -> [String] {
        var problems: [String] = []
        if name.count > 63 { problems.append("must be no more than 63 characters") }
        if !isLabel(Substring(name)) {
            problems.append("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
        }
        return problems
    }

    /// DNS-1035 label (Services): must start with a letter.
    static func dns1035Problems(_ name: String) -> [String] {
        var problems: [String] = []
        if name.count > 63 { problems.append("must be no more than 63 characters") }
        if !isLabel(Substring(name)) || !(name.utf8.first.map { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") } ?? false) {
            problems.append("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")
        }
        return problems
    }

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?` without a regular expression (names are checked on every create).
    static func isLabel(_ part: Substring) -> Bool {
        let bytes = part.utf8
        guard let first = bytes.first, let last = bytes.last else { return false }
        func alphanumeric(_ b: UInt8) -> Bool {
            (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
        }
        return alphanumeric(first) && alphanumeric(last) && bytes.allSatisfy { alphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    /// kube-apiserver's `ValidateOwnerReferences`: every reference names its owner fully
    /// (the garbage collector matches by uid), and at most one is the controller.
    static func validateOwnerReferences(_ metadata: JSONValue, type: ResourceType, name: String) throws(APIError) {
        let errors = ownerReferenceErrors(metadata)
        if !errors.isEmpty { throw APIError.invalid(kind: type.kind, group: type.group, name: name, errors: errors) }
    }

    static func ownerReferenceErrors(_ metadata: JSONValue) -> [FieldError] {
        let path = "metadata.ownerReferences"
        let references = metadata["ownerReferences"].arrayValue ?? []
        var errors: [FieldError] = []
        var firstController: String?
        for reference in references {
            let apiVersion = reference["apiVersion"].stringValue ?? ""
            let version = apiVersion.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? ""
            if version.isEmpty { errors.append(.invalid(path + ".apiVersion", .string(apiVersion), "version must not be empty")) }
            for field in ["kind", "name", "uid"] where (reference[field].stringValue ?? "").isEmpty {
                errors.append(.invalid(path + "." + field, .string(reference[field].stringValue ?? ""), "must not be empty"))
            }
            guard reference["controller"].boolValue == true else { continue }
            let current = "\(reference["kind"].stringValue ?? "")/\(reference["name"].stringValue ?? "")"
            if let firstController {
                errors.append(.invalid(path, .array(references),
                    "Only one reference can have Controller set to true. Found \"true\" in references for \(firstController) and \(current)"))
            } else {
                firstController = current
            }
        }
        return errors
    }

    /// The name rules a resource type applies.
    static func nameProblems(_ name: String, type: ResourceType) -> [String] {
        if name == "." || name == ".." { return ["may not be '\(name)'"] }
        if name.contains("/") { return ["may not contain '/'"] }
        if name.contains("%") { return ["may not contain '%'"] }
        switch (type.group, type.resource) {
        case ("", "namespaces"): return labelProblems(name)
        case ("", "services"): return dns1035Problems(name)
        case ("rbac.authorization.k8s.io", _): return []  // path segment names: "system:controller:x" is valid
        case ("apiregistration.k8s.io", "apiservices"): return []  // path segment names: "v1." is the core one
        case (_, _) where type.isCustom: return subdomainProblems(name)
        default: return subdomainProblems(name)
        }
    }

    /// The object without the fields that never count as a change of its content.
    static func comparable(_ object: JSONValue) -> JSONValue {
        var copy = object
        copy[path: ["metadata", "resourceVersion"]] = .null
        // Ownership changes count; a fresh timestamp on the same ownership does not.
        if case .array(let entries) = copy[path: ["metadata", "managedFields"]] {
            copy[path: ["metadata", "managedFields"]] = .array(entries.map { entry in
                var entry = entry
                entry.removeValue(forKey: "time")
                return entry
            })
        }
        copy[path: ["metadata", "generation"]] = .null
        return copy
    }

    /// Whether anything outside `metadata` (and `status` when it is a subresource) changed.
    static func specChanged(old: JSONValue, new: JSONValue, excludingStatus: Bool) -> Bool {
        var a = old, b = new
        a.removeValue(forKey: "metadata")
        b.removeValue(forKey: "metadata")
        if excludingStatus {
            a.removeValue(forKey: "status")
            b.removeValue(forKey: "status")
        }
        return a != b
    }

    static func finalizers(_ object: JSONValue) -> [String] {
        (object[path: ["metadata", "finalizers"]].arrayValue ?? []).compactMap(\.stringValue)
    }

    static func setFinalizers(_ finalizers: [String], on object: inout JSONValue) {
        object[path: ["metadata", "finalizers"]] = finalizers.isEmpty ? .null : .array(finalizers.map { .string($0) })
    }
}
