import Testing
import KubeClient
@testable import KubeSim

private func j(_ text: String) -> JSONValue { try! JSONValue(parsing: text) }
private let schema = StrategicSchema.builtin(apiVersion: "apps/v1", kind: "Deployment")!
private let t0 = "2024-05-01T10:00:00Z"
private let t1 = "2024-05-01T10:05:00Z"

private func entries(_ object: JSONValue) -> [JSONValue] { object[path: ["metadata", "managedFields"]].arrayValue ?? [] }
private func entry(_ object: JSONValue, _ manager: String, _ operation: String) -> JSONValue? {
    entries(object).first { $0["manager"].stringValue == manager && $0["operation"].stringValue == operation }
}

@Suite struct ServerSideApplyTests {
    let config = j(#"""
    {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},
     "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
      "template":{"metadata":{"labels":{"app":"web"}},
       "spec":{"containers":[{"name":"web","image":"nginx:1.25","ports":[{"containerPort":80}]}]}}}}
    """#)

    @Test func createRecordsTheApplierInFieldsV1() throws {
        let created = try ServerSideApply.apply(config: config, to: nil, manager: "kubectl", force: false, now: t0, schema: schema)
        #expect(created[path: ["spec", "replicas"]] == 2)
        let kubectl = try #require(entry(created, "kubectl", "Apply"))
        #expect(kubectl["apiVersion"] == "apps/v1")
        #expect(kubectl["time"] == .string(t0))
        #expect(kubectl["fieldsType"] == "FieldsV1")
        let expected = j(#"""
        {"f:metadata":{"f:labels":{"f:app":{}}},
         "f:spec":{"f:replicas":{},"f:selector":{},
          "f:template":{"f:metadata":{"f:labels":{"f:app":{}}},
           "f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{},
             "f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}}
        """#)
        #expect(kubectl["fieldsV1"] == expected)
    }

    @Test func applyingTwiceWithANewImageUpdatesOnlyTheImage() throws {
        let created = try ServerSideApply.apply(config: config, to: nil, manager: "kubectl", force: false, now: t0, schema: schema)
        var changed = config
        changed[path: ["spec", "template", "spec", "containers"]] = j(#"[{"name":"web","image":"nginx:1.26","ports":[{"containerPort":80}]}]"#)
        let updated = try ServerSideApply.apply(config: changed, to: created, manager: "kubectl", force: false, now: t1, schema: schema)
        #expect(updated[path: ["spec", "template", "spec", "containers"]][0]["image"] == "nginx:1.26")
        #expect(entries(updated).count == 1)
        #expect(entry(updated, "kubectl", "Apply")?["time"] == .string(t1))
    }

    @Test func conflictWithAnUpdaterNamesManagerAndField() throws {
        let created = try ServerSideApply.apply(config: config, to: nil, manager: "kubectl", force: false, now: t0, schema: schema)
        var scaled = created
        scaled[path: ["spec", "replicas"]] = 5
        let afterScale = ServerSideApply.recordUpdate(old: created, new: scaled, manager: "hpa-controller", now: t1, schema: schema)
        #expect(entry(afterScale, "hpa-controller", "Update")?["fieldsV1"] == j(#"{"f:spec":{"f:replicas":{}}}"#))
        // kubectl no longer owns replicas: the updater took it.
        #expect(entry(afterScale, "kubectl", "Apply")?["fieldsV1"]["f:spec"]["f:replicas"] == .null)

        let error = #expect(throws: ApplyError.self) {
            try ServerSideApply.apply(config: config, to: afterScale, manager: "kubectl", force: false, now: t1, schema: schema)
        }
        #expect(error?.httpStatus == 409)
        #expect(error?.message == #"Apply failed with 1 conflict: conflict with "hpa-controller" using apps/v1: .spec.replicas"#)
        let status = try #require(error?.status)
        #expect(status["reason"] == "Conflict")
        #expect(status["code"] == 409)
        #expect(status["details"]["causes"] == j(#"[{"reason":"FieldManagerConflict","message":"conflict with \"hpa-controller\" using apps/v1","field":".spec.replicas"}]"#))

        let forced = try ServerSideApply.apply(config: config, to: afterScale, manager: "kubectl", force: true, now: t1, schema: schema)
        #expect(forced[path: ["spec", "replicas"]] == 2)
        #expect(entry(forced, "hpa-controller", "Update") == nil)
        #expect(entry(forced, "kubectl", "Apply")?["fieldsV1"]["f:spec"]["f:replicas"] == j("{}"))
    }

    @Test func sameValueIsSharedWithoutConflict() throws {
        let created = try ServerSideApply.apply(config: config, to: nil, manager: "kubectl", force: false, now: t0, schema: schema)
        let other = j(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":2}}"#)
        let shared = try ServerSideApply.apply(config: other, to: created, manager: "operator", force: false, now: t1, schema: schema)
        #expect(entry(shared, "operator", "Apply")?["fieldsV1"] == j(#"{"f:spec":{"f:replicas":{}}}"#))
        #expect(entry(shared, "kubectl", "Apply")?["fieldsV1"]["f:spec"]["f:replicas"] == j("{}"))

        let different = j(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":3}}"#)
        let error = #expect(throws: ApplyError.self) {
            try ServerSideApply.apply(config: different, to: shared, manager: "operator", force: false, now: t1, schema: schema)
        }
        #expect(error?.message == #"Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas"#)
    }

    @Test func fieldsNoLongerAppliedAreRemovedUnlessSomeoneElseOwnsThem() throws {
        var withSidecar = config
        withSidecar[path: ["spec", "template", "spec", "containers"]] = j(#"[{"name":"web","image":"nginx"},{"name":"sidecar","image":"envoy"}]"#)
        withSidecar[path: ["metadata", "labels", "tier"]] = "frontend"
        let created = try ServerSideApply.apply(config: withSidecar, to: nil, manager: "kubectl", force: false, now: t0, schema: schema)

        var annotated = created
        annotated[path: ["metadata", "labels", "team"]] = "blue"
        let edited = ServerSideApply.recordUpdate(old: created, new: annotated, manager: "kubectl-edit", now: t1, schema: schema)

        var slimmer = config
        slimmer[path: ["spec", "template", "spec", "containers"]] = j(#"[{"name":"web","image":"nginx"}]"#)
        slimmer[path: ["spec"]].removeValue(forKey: "replicas")
        let result = try ServerSideApply.apply(config: slimmer, to: edited, manager: "kubectl", force: false, now: t1, schema: schema)
        #expect(result[path: ["spec", "template", "spec", "containers"]].arrayValue!.map { $0["name"] } == ["web"])
        #expect(result[path: ["spec", "replicas"]] == .null)
        #expect(result[path: ["metadata", "labels"]] == j(#"{"app":"web","team":"blue"}"#))
    }

    /// Updates rewrite only the managedFields entries that own what they touch; every step of
    /// a history of controllers and people editing one object must come out exactly as the
    /// full computation makes it.
    @Test func updateShortcutAgreesWithTheFullComputation() throws {
        let created = try ServerSideApply.apply(config: config, to: nil, manager: "kubectl", force: false, now: t0, schema: schema)
        var current = created
        func edit(_ manager: String, subresource: String? = nil, _ change: (inout JSONValue) -> Void) {
            var next = current
            change(&next)
            let now = "2024-05-01T10:\(String(format: "%02d", entries(current).count + 10)):00Z"
            let fast = ServerSideApply.recordUpdate(old: current, new: next, manager: manager, now: now, schema: schema,
                                                    subresource: subresource, ignoring: [], shortcut: true)
            let full = ServerSideApply.recordUpdate(old: current, new: next, manager: manager, now: now, schema: schema,
                                                    subresource: subresource, ignoring: [], shortcut: false)
            #expect(fast == full, "\(manager) editing: \(fast[path: ["metadata", "managedFields"]].serialized())")
            current = full
        }
        // A controller writes status, then rewrites the same fields again and again.
        edit("deployment-controller", subresource: "status") { $0[path: ["status"]] = ["replicas": 1, "readyReplicas": 0] }
        edit("deployment-controller", subresource: "status") { $0[path: ["status", "readyReplicas"]] = 1 }
        edit("deployment-controller", subresource: "status") { $0[path: ["status", "readyReplicas"]] = 2 }
        // It adds a field it did not own yet, then removes one it owns.
        edit("deployment-controller", subresource: "status") { $0[path: ["status", "availableReplicas"]] = 2 }
        edit("deployment-controller", subresource: "status") { $0[path: ["status", "readyReplicas"]] = .null }
        // Someone else takes over a field the applier owns, then changes it again.
        edit("hpa-controller") { $0[path: ["spec", "replicas"]] = 5 }
        edit("hpa-controller") { $0[path: ["spec", "replicas"]] = 6 }
        // The applier's image changes through an update by another manager (inside a keyed list).
        edit("kubectl-set") { $0[path: ["spec", "template", "spec", "containers"]] = [["name": "web", "image": "nginx:1.26", "ports": [["containerPort": 80]]]] }
        edit("kubectl-set") { $0[path: ["spec", "template", "spec", "containers"]] = [["name": "web", "image": "nginx:1.27", "ports": [["containerPort": 80]]]] }
        // A write that changes nothing owned by anyone, and one that changes nothing at all.
        edit("labeler") { $0[path: ["metadata", "labels", "team"]] = "a" }
        edit("labeler") { _ in }
        #expect(entry(current, "hpa-controller", "Update")?["time"] != nil)
        #expect(entries(current).count == 5)

        // Entry by entry: only the entries owning a touched path are written again.
        let stored = current[path: ["metadata", "managedFields"]]
        let controller = ManagedFieldsEntry(manager: "deployment-controller", operation: .update,
                                            apiVersion: "apps/v1", subresource: "status", fields: FieldSet())
        func updated(_ changed: FieldPath) throws -> [JSONValue] {
            try #require(ManagedFieldsTable.updatedOwnership(stored: stored, writer: controller, changed: FieldSet([changed]),
                                                             removed: FieldSet(), now: "2024-05-01T11:00:00Z")?.arrayValue)
        }
        func unchanged(_ manager: String, in items: [JSONValue]) -> Bool {
            items.first { $0["manager"].stringValue == manager } == stored.arrayValue?.first { $0["manager"].stringValue == manager }
        }
        // A field the controller owns: only its time moves.
        let ready = try updated(FieldPath(fields: "status", "availableReplicas"))
        #expect(ready.count == 5)
        #expect(ready.last?["manager"] == "deployment-controller")
        #expect(ready.last?["time"] == "2024-05-01T11:00:00Z")
        #expect(ready.last?["fieldsV1"] == stored.arrayValue?.first { $0["manager"] == "deployment-controller" }?["fieldsV1"])
        // A field hpa-controller owned alone: it moves to the controller, and hpa-controller's entry goes.
        let replicas = try updated(FieldPath(fields: "spec", "replicas"))
        #expect(replicas.count == 4)
        #expect(!replicas.contains { $0["manager"] == "hpa-controller" })
        #expect(replicas.last?["fieldsV1"]["f:spec"]["f:replicas"] == j("{}"))
        #expect(unchanged("kubectl", in: replicas) && unchanged("labeler", in: replicas) && unchanged("kubectl-set", in: replicas))
        // A field no one owned yet: the controller's entry grows.
        let conditions = try updated(FieldPath(fields: "status", "conditions"))
        #expect(conditions.last?["fieldsV1"]["f:status"]["f:conditions"] == j("{}"))
        #expect(unchanged("hpa-controller", in: conditions))

        // More history: a manager loses its only field to another, and one whose field is removed.
        edit("autoscaler") { $0[path: ["spec", "replicas"]] = 7 }
        #expect(entry(current, "hpa-controller", "Update") == nil)
        edit("cleanup") { $0[path: ["metadata", "labels"]].removeValue(forKey: "team") }
        #expect(entry(current, "labeler", "Update") == nil)
        #expect(entry(current, "cleanup", "Update") == nil)
        edit("deployment-controller", subresource: "status") { $0.removeValue(forKey: "status") }
        #expect(entry(current, "deployment-controller", "Update") == nil)
        #expect(entries(current).count == 3)
    }

    @Test func recordUpdateOnCreateOwnsEverythingSet() throws {
        let object = j(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","uid":"u1","annotations":{"a":"1"}},"data":{"k":"v"}}"#)
        let recorded = ServerSideApply.recordUpdate(old: nil, new: object, manager: "kubectl-create", now: t0,
                                                    schema: StrategicSchema.builtin(apiVersion: "v1", kind: "ConfigMap")!)
        let created = try #require(entry(recorded, "kubectl-create", "Update"))
        #expect(created["apiVersion"] == "v1")
        #expect(created["fieldsV1"] == j(#"{"f:data":{".":{},"f:k":{}},"f:metadata":{"f:annotations":{".":{},"f:a":{}}}}"#))

        // An object whose ownership was never tracked stays untracked.
        let untracked = ServerSideApply.recordUpdate(old: object, new: object, manager: "x", now: t1, schema: .none)
        #expect(untracked[path: ["metadata", "managedFields"]] == .null)
    }

    @Test func firstApplyToAnUntrackedObjectConflictsWithBeforeFirstApply() throws {
        let live = j(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","uid":"u"},"spec":{"replicas":1}}"#)
        let error = #expect(throws: ApplyError.self) {
            try ServerSideApply.apply(config: config, to: live, manager: "kubectl", force: false, now: t0, schema: schema)
        }
        #expect(error?.message.contains(#"conflict with "before-first-apply" using apps/v1: .spec.replicas"#) == true)
    }

    @Test func rejectsUnusableConfigurations() {
        var withManaged = config
        withManaged[path: ["metadata", "managedFields"]] = j("[]")
        let managed = #expect(throws: ApplyError.self) {
            try ServerSideApply.apply(config: withManaged, to: nil, manager: "m", force: false, now: t0, schema: schema)
        }
        #expect(managed == .invalid("metadata.managedFields must be nil"))
        #expect(managed?.httpStatus == 400)

        var keyless = config
        keyless[path: ["spec", "template", "spec", "containers"]] = j(#"[{"image":"nginx"}]"#)
        let missingKey = #expect(throws: ApplyError.self) {
            try ServerSideApply.apply(config: keyless, to: nil, manager: "m", force: false, now: t0, schema: schema)
        }
        #expect(missingKey?.message.contains(#"omits key field "name""#) == true)
    }

    @Test func ignoredPathsAreNeitherOwnedNorApplied() throws {
        var withStatus = config
        withStatus["status"] = j(#"{"replicas":9}"#)
        let created = try ServerSideApply.apply(config: withStatus, to: nil, manager: "kubectl", force: false, now: t0,
                                                schema: schema, ignoring: ServerSideApply.statusPaths)
        #expect(created["status"] == .null)
        #expect(entry(created, "kubectl", "Apply")?["fieldsV1"]["f:status"] == .null)
    }

    @Test func fieldsV1RoundTripsThroughFieldSet() throws {
        let text = j(#"{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:image":{}}},"f:finalizers":{"v:\"x\"":{}}}}"#)
        let set = try #require(FieldSet(fieldsV1: text))
        #expect(set.fieldsV1 == text)
        #expect(set.contains(FieldPath([.field("spec"), .field("containers"), .key(j(#"{"name":"c"}"#)), .field("image")])))
        #expect(set.paths.map(\.description).contains(#".spec.containers[name="c"].image"#))
        #expect(FieldSet(fieldsV1: j(#"{"x:bad":{}}"#)) == nil)
    }
}
