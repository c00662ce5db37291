import KubeClient

/// Turns `labelSelector` and `fieldSelector` query strings into a predicate over stored
/// objects, rejecting malformed selectors and unsupported fields with 400 as kube-apiserver does.
struct SelectorCompiler: Sendable {
    func predicate(labelSelector: String?, fieldSelector: String?, type: ResourceType) throws(APIError)
        -> (@Sendable (StoredObject) -> Bool)?
    {
        let labels: LabelSelector
        let fields: FieldSelector
        do {
            labels = try labelSelector.map { try LabelSelector(parsing: $0) } ?? .everything
        } catch {
            throw APIError.badRequest("unable to parse requirement: \(error)")
        }
        do {
            fields = try fieldSelector.map { try FieldSelector(parsing: $0) } ?? .everything
        } catch {
            throw APIError.badRequest("\(error)")
        }
        let supported = ["metadata.name", "metadata.namespace"] + type.selectableFields
        for requirement in fields.requirements where !supported.contains(requirement.field) {
            throw APIError.badRequest("field label not supported: \(requirement.field)")
        }
        if labels.isEverything && fields.isEverything { return nil }
        return { object in
            guard labels.matches(object.labels) else { return false }
            for requirement in fields.requirements {
                let value: String
                switch requirement.field {
                case "metadata.name": value = object.key.name
                case "metadata.namespace": value = object.key.namespace
                default: value = object.fields[requirement.field] ?? ""
                }
                if !requirement.matches(value) { return false }
            }
            return true
        }
    }
}
