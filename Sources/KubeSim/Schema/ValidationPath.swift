/// A location inside a custom resource, spelled the two ways kube-apiserver spells it:
/// OpenAPI schema errors join map keys with dots (`spec.labels.app`); CEL and list-type
/// errors use field paths (`spec.labels[app]`). Both index lists as `[0]`; the root is
/// `<nil>` as a field.
struct ValidationPath: Sendable, Hashable {
    var openAPI: String
    var field: String

    static let root = ValidationPath(openAPI: "", field: "<nil>")

    var isRoot: Bool { field == "<nil>" }

    func property(_ name: String) -> ValidationPath {
        ValidationPath(openAPI: openAPI.isEmpty ? name : "\(openAPI).\(name)", field: isRoot ? name : "\(field).\(name)")
    }

    func key(_ key: String) -> ValidationPath {
        ValidationPath(openAPI: openAPI.isEmpty ? key : "\(openAPI).\(key)", field: isRoot ? "[\(key)]" : "\(field)[\(key)]")
    }

    func index(_ i: Int) -> ValidationPath {
        ValidationPath(openAPI: "\(openAPI)[\(i)]", field: isRoot ? "[\(i)]" : "\(field)[\(i)]")
    }

    /// The field of an OpenAPI schema error.
    var openAPIField: String { openAPI.isEmpty ? "<nil>" : openAPI }

    /// `"spec.replicas in body should …"`, or just `"should …"` at the root.
    func says(_ text: String) -> String { openAPI.isEmpty ? text : "\(openAPI) in body \(text)" }
}
