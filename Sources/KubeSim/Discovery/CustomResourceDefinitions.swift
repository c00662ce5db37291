import Foundation
import KubeClient

/// Reads CustomResourceDefinitions: the resource type a CRD defines and the checks
/// kube-apiserver applies to the CRD itself.
public enum CustomResourceDefinitions {
    public static let resource = GroupResource(group: "apiextensions.k8s.io", resource: "customresourcedefinitions")
    public static let cleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io"

    /// The resource type `crd` defines (served versions, names, scope, subresources).
    public static func resourceType(_ crd: JSONValue) -> ResourceType? {
        let spec = crd["spec"]
        let names = spec["names"]
        guard let group = spec["group"].stringValue, let plural = names["plural"].stringValue,
              let kind = names["kind"].stringValue else { return nil }
        let versions = spec["versions"].arrayValue ?? []
        let served = versions.filter { $0["served"].boolValue ?? false }.compactMap { $0["name"].stringValue }
        guard !served.isEmpty else { return nil }
        let storage = versions.first { $0["storage"].boolValue ?? false }?["name"].stringValue ?? served[0]
        let storageVersion = versions.first { $0["name"].stringValue == storage } ?? versions[0]
        var subresources: [ResourceType.Subresource] = []
        let declared = storageVersion["subresources"]
        if !declared["status"].isNull { subresources.append(.status) }
        let scale = declared["scale"]
        if case .object = scale {
            subresources.append(.scale(.init(specReplicasPath: scale["specReplicasPath"].stringValue ?? ".spec.replicas",
                                             statusReplicasPath: scale["statusReplicasPath"].stringValue ?? ".status.replicas",
                                             labelSelectorPath: scale["labelSelectorPath"].stringValue)))
        }
        let selectable = (storageVersion["selectableFields"].arrayValue ?? []).compactMap { field -> String? in
            guard let path = field["jsonPath"].stringValue else { return nil }
            return path.hasPrefix(".") ? String(path.dropFirst()) : path
        }
        var type = ResourceType(
            group: group, versions: ResourceCatalog.sortVersions(served), resource: plural,
            singular: names["singular"].stringValue ?? kind.lowercased(), kind: kind,
            namespaced: spec["scope"].stringValue != "Cluster",
            shortNames: (names["shortNames"].arrayValue ?? []).compactMap(\.stringValue),
            categories: (names["categories"].arrayValue ?? []).compactMap(\.stringValue),
            subresources: subresources, selectableFields: selectable, tracksGeneration: true,
            allowsUnconditionalUpdate: false, isCustom: true, storageVersion: storage)
        if let listKind = names["listKind"].stringValue { type.listKind = listKind }
        return type
    }

    /// Problems with a CRD that make kube-apiserver refuse it, as field causes. On an update
    /// (`old` given), a version whose schema or printer columns are unchanged is not checked
    /// again, as kube-apiserver spares persisted data: a CRD stored before a check existed
    /// can still be edited elsewhere, and deleted (its finalizer removed).
    public static func validate(_ crd: JSONValue, old: JSONValue? = nil) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        let spec = crd["spec"]
        let group = spec["group"].stringValue ?? ""
        let plural = spec["names"]["plural"].stringValue ?? ""
        if group.isEmpty {
            causes.append(.init(type: "FieldValueRequired", message: "Required value", field: "spec.group"))
        } else if !group.contains(".") {
            causes.append(.init(type: "FieldValueInvalid", message: "Invalid value: \"\(group)\": should be a domain with at least one dot",
                                field: "spec.group"))
        }
        if plural.isEmpty {
            causes.append(.init(type: "FieldValueRequired", message: "Required value", field: "spec.names.plural"))
        }
        if spec["names"]["kind"].stringValue?.isEmpty ?? true {
            causes.append(.init(type: "FieldValueRequired", message: "Required value", field: "spec.names.kind"))
        }
        let name = crd["metadata"]["name"].stringValue ?? ""
        if !group.isEmpty, !plural.isEmpty, name != "\(plural).\(group)" {
            causes.append(.init(type: "FieldValueInvalid",
                                message: "Invalid value: \"\(name)\": must be spec.names.plural+\".\"+spec.group",
                                field: "metadata.name"))
        }
        if let scope = spec["scope"].stringValue, scope != "Namespaced", scope != "Cluster" {
            causes.append(.init(type: "FieldValueNotSupported",
                                message: "Unsupported value: \"\(scope)\": supported values: \"Cluster\", \"Namespaced\"",
                                field: "spec.scope"))
        }
        let versions = spec["versions"].arrayValue ?? []
        if versions.isEmpty {
            causes.append(.init(type: "FieldValueInvalid", message: "Invalid value: []: must have exactly one version marked as storage version",
                                field: "spec.versions"))
        } else if versions.filter({ $0["storage"].boolValue ?? false }).count != 1 {
            causes.append(.init(type: "FieldValueInvalid",
                                message: "Invalid value: \(versions.filter { $0["storage"].boolValue ?? false }.count): must have exactly one version marked as storage version",
                                field: "spec.versions"))
        }
        let oldVersions = old?["spec"]["versions"].arrayValue ?? []
        for (i, version) in versions.enumerated() {
            let previous = oldVersions.first { $0["name"] == version["name"] }
            if previous?["additionalPrinterColumns"] != version["additionalPrinterColumns"] {
                causes += printerColumnProblems(version["additionalPrinterColumns"], path: "spec.versions[\(i)].additionalPrinterColumns")
                    .map { .init(type: $0.type.rawValue, message: $0.body, field: $0.field) }
            }
            let path = "spec.versions[\(i)].schema.openAPIV3Schema"
            let schema = version["schema"]["openAPIV3Schema"]
            if schema.isNull {
                causes.append(.init(type: "FieldValueRequired", message: "Required value: schemas are required", field: path))
                continue
            }
            if let previous, previous["schema"]["openAPIV3Schema"] == schema { continue }
            // A schema that is not structural, or whose CEL rules do not compile, is refused
            // here, as kube-apiserver does: objects of the type could be neither pruned nor checked.
            do throws(SchemaError) {
                _ = try StructuralSchema(openAPIV3Schema: schema, path: path)
            } catch {
                causes += error.errors.map { .init(type: $0.type.rawValue, message: $0.body, field: $0.field) }
            }
        }
        return causes
    }

    /// kube-apiserver's checks of `additionalPrinterColumns`: a name, a supported type and
    /// format, a simple JSON path, a priority that is not negative.
    static func printerColumnProblems(_ columns: JSONValue, path: String) -> [FieldError] {
        let types = TableBuilder.printerColumnTypes
        let formats = ["byte", "date", "date-time", "double", "float", "int32", "int64", "password"]
        var errors: [FieldError] = []
        for (index, column) in (columns.arrayValue ?? []).enumerated() {
            let at = "\(path)[\(index)]"
            if (column["name"].stringValue ?? "").isEmpty { errors.append(.required(at + ".name")) }
            let type = column["type"].stringValue ?? ""
            if type.isEmpty {
                errors.append(.required(at + ".type"))
            } else if !types.contains(type) {
                errors.append(.notSupported(at + ".type", .string(type), supported: types))
            }
            if let format = column["format"].stringValue, !format.isEmpty, !formats.contains(format) {
                errors.append(.notSupported(at + ".format", .string(format), supported: formats))
            }
            let jsonPath = column["jsonPath"].stringValue ?? ""
            if jsonPath.isEmpty {
                errors.append(.required(at + ".jsonPath"))
            } else if !jsonPath.hasPrefix(".") {
                // All kube-apiserver asks; for a path it cannot parse it serves the default columns, as TableRendering does.
                errors.append(.invalid(at + ".jsonPath", .string(jsonPath), "must be a simple json path starting with ."))
            }
            if let priority = column["priority"].intValue, priority < 0 {
                errors.append(.invalid(at + ".priority", .int(Int64(priority)), "cannot be negative"))
            }
        }
        return errors
    }

    /// The status a CRD gets once its names are accepted and it is served.
    static func establishedStatus(_ crd: JSONValue, conflict: String?, now: String) -> JSONValue {
        var status = crd["status"]
        if case .object = status {} else { status = .emptyObject }
        let names = crd["spec"]["names"]
        var accepted = names
        if accepted["singular"].isNull, let kind = names["kind"].stringValue { accepted["singular"] = .string(kind.lowercased()) }
        if accepted["listKind"].isNull, let kind = names["kind"].stringValue { accepted["listKind"] = .string(kind + "List") }
        var conditions = status["conditions"].arrayValue ?? []
        func set(_ type: String, _ value: String, _ reason: String, _ message: String) {
            if let index = conditions.firstIndex(where: { $0["type"].stringValue == type }) {
                if conditions[index]["status"].stringValue == value, conditions[index]["reason"].stringValue == reason { return }
                conditions[index] = ["type": .string(type), "status": .string(value), "reason": .string(reason),
                                     "message": .string(message), "lastTransitionTime": .string(now)]
            } else {
                conditions.append(["type": .string(type), "status": .string(value), "reason": .string(reason),
                                   "message": .string(message), "lastTransitionTime": .string(now)])
            }
        }
        if let conflict {
            set("NamesAccepted", "False", "ConflictingNames", conflict)
            set("Established", "False", "NotAccepted", "not all names are accepted")
        } else {
            status["acceptedNames"] = accepted
            set("NamesAccepted", "True", "NoConflicts", "no conflicts found")
            set("Established", "True", "InitialNamesAccepted", "the initial names have been accepted")
        }
        if !crd["metadata"]["deletionTimestamp"].isNull {
            set("Terminating", "True", "InstanceDeletionInProgress", "CustomResource deletion is in progress")
        }
        status["conditions"] = .array(conditions)
        let storage = (crd["spec"]["versions"].arrayValue ?? []).first { $0["storage"].boolValue ?? false }?["name"]
        var stored = status["storedVersions"].arrayValue ?? []
        if let storage, !stored.contains(storage) { stored.append(storage) }
        status["storedVersions"] = .array(stored)
        return status
    }
}

/// Serves the types CRDs define: registers a type as soon as its CRD is stored (and marks
/// the CRD NamesAccepted and Established), removes it when the CRD is gone.
struct CRDRegistrationHook: CommitHook {
    func committed(_ outcome: MutationOutcome, type: ResourceType, registry: Registry) {
        guard type.groupResource == CustomResourceDefinitions.resource else { return }
        switch outcome {
        case .created(let stored), .updated(let stored, _):
            let crd = stored.object
            guard let defined = CustomResourceDefinitions.resourceType(crd) else { return }
            var conflict: String?
            if let existing = registry.catalog.type(defined.groupResource), !existing.isCustom {
                conflict = "\"\(defined.resource)\" is already in use"
            } else {
                if registry.catalog.type(defined.groupResource) == nil {
                    // A newly served type gets a watch cache of its own, whose window starts now.
                    registry.store.beginWatchWindow(defined.groupResource)
                }
                registry.catalog.register(defined, definition: crd)
                // Hooks run after the store's lock is released, so the CRD's deletion may have
                // committed (and its hook run) in the meantime: the store has the last word.
                if registry.store.get(CustomResourceDefinitions.resource, stored.key) == nil {
                    registry.catalog.unregister(defined.groupResource)
                    return
                }
            }
            let status = CustomResourceDefinitions.establishedStatus(crd, conflict: conflict,
                                                                     now: KubeTimestamp.format(Date()))
            guard status != crd["status"] else { return }
            _ = try? registry.guaranteedUpdate(type, namespace: "", name: stored.key.name, subresource: "status",
                                               options: WriteOptions(), precondition: nil) { current throws(APIError) in
                var updated = current ?? crd
                updated["status"] = CustomResourceDefinitions.establishedStatus(updated, conflict: conflict,
                                                                                now: KubeTimestamp.format(Date()))
                return updated
            }
        case .deleted(let stored, _):
            // Unless a CRD of the same name was created again meanwhile.
            if let defined = CustomResourceDefinitions.resourceType(stored.object),
               registry.store.get(CustomResourceDefinitions.resource, stored.key) == nil {
                registry.catalog.unregister(defined.groupResource)
            }
        case .unchanged:
            break
        }
    }
}

/// Checks a CRD before it is stored and gives it the cleanup finalizer, so deleting it
/// first deletes its custom resources.
struct CRDAdmission: AdmissionPlugin {
    func admit(_ object: inout JSONValue, _ request: AdmissionRequest, warnings: inout [String]) throws(APIError) {
        guard request.type.groupResource == CustomResourceDefinitions.resource, request.subresource == nil else { return }
        let causes = CustomResourceDefinitions.validate(object, old: request.operation == .update ? request.oldObject : nil)
        if !causes.isEmpty {
            throw APIError.invalid(kind: request.type.kind, group: request.type.group, name: request.name, causes: causes)
        }
        if request.operation == .update, let old = request.oldObject {
            for field in ["group", "scope"] where old["spec"][field] != object["spec"][field] {
                throw APIError.invalid(kind: request.type.kind, group: request.type.group, name: request.name, causes: [
                    .init(type: "FieldValueInvalid", message: "Invalid value: \(object["spec"][field]): field is immutable",
                          field: "spec.\(field)"),
                ])
            }
        }
        if request.operation == .create, object["metadata"]["deletionTimestamp"].isNull {
            var finalizers = ObjectMetadata.finalizers(object)
            if !finalizers.contains(CustomResourceDefinitions.cleanupFinalizer) {
                finalizers.append(CustomResourceDefinitions.cleanupFinalizer)
                ObjectMetadata.setFinalizers(finalizers, on: &object)
            }
        }
    }
}
