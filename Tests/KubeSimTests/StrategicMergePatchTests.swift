import Testing
import KubeClient
@testable import KubeSim

private func j(_ text: String) -> JSONValue { try! JSONValue(parsing: text) }
private let deploymentSchema = StrategicSchema.builtin(apiVersion: "apps/v1", kind: "Deployment")!

@Suite struct StrategicMergePatchTests {
    let live = j(#"""
    {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","finalizers":["a","b"]},
     "spec":{"replicas":2,
      "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}},
      "template":{"metadata":{"labels":{"app":"web"}},"spec":{
        "containers":[
          {"name":"web","image":"nginx:1.25","terminationMessagePath":"/dev/termination-log",
           "ports":[{"containerPort":80,"protocol":"TCP"}],
           "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]},
          {"name":"sidecar","image":"envoy:1"}],
        "tolerations":[{"key":"x","operator":"Exists"}]}}}}
    """#)

    @Test func kubectlApplyOfAChangedImageKeepsEverythingElse() throws {
        // The patch `kubectl apply` sends when only the image changed in the manifest.
        let patch = j(#"""
        {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"web"},{"name":"sidecar"}],
          "containers":[{"image":"nginx:1.26","name":"web"}]}}}}
        """#)
        let result = try StrategicMergePatch.apply(patch, to: live, schema: deploymentSchema)
        let containers = result[path: ["spec", "template", "spec", "containers"]]
        #expect(containers[0]["name"] == "web")
        #expect(containers[0]["image"] == "nginx:1.26")
        #expect(containers[0]["terminationMessagePath"] == "/dev/termination-log")
        #expect(containers[0]["ports"] == j(#"[{"containerPort":80,"protocol":"TCP"}]"#))
        #expect(containers[1] == j(#"{"name":"sidecar","image":"envoy:1"}"#))
        #expect(result[path: ["spec", "replicas"]] == 2)
    }

    @Test func addsNewContainersAtThePositionGivenBySetElementOrder() throws {
        let patch = j(#"""
        {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"init-like"},{"name":"web"},{"name":"sidecar"}],
          "containers":[{"name":"init-like","image":"busybox","command":null}]}}}}
        """#)
        let result = try StrategicMergePatch.apply(patch, to: live, schema: deploymentSchema)
        let names = result[path: ["spec", "template", "spec", "containers"]].arrayValue!.map { $0["name"] }
        #expect(names == ["init-like", "web", "sidecar"])
        #expect(result[path: ["spec", "template", "spec", "containers"]][0] == j(#"{"name":"init-like","image":"busybox"}"#))
    }

    @Test func deleteDirectiveRemovesOneElementByMergeKey() throws {
        let patch = j(#"{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}}"#)
        let result = try StrategicMergePatch.apply(patch, to: live, schema: deploymentSchema)
        #expect(result[path: ["spec", "template", "spec", "containers"]].arrayValue!.map { $0["name"] } == ["web"])
    }

    @Test func replaceDirectiveReplacesTheWholeList() throws {
        let patch = j(#"{"spec":{"template":{"spec":{"containers":[{"name":"only","image":"x"},{"$patch":"replace"}]}}}}"#)
        let result = try StrategicMergePatch.apply(patch, to: live, schema: deploymentSchema)
        #expect(result[path: ["spec", "template", "spec", "containers"]] == j(#"[{"name":"only","image":"x"}]"#))
    }

    @Test func nestedListsMergeByTheirOwnKeysAndNullDeletes() throws {
        let patch = j(#"""
        {"spec":{"template":{"spec":{"containers":[{"name":"web",
          "env":[{"name":"B","value":"two"},{"name":"C","value":"3"}],
          "ports":[{"containerPort":8443,"protocol":"TCP"}],
          "terminationMessagePath":null}]}}}}
        """#)
        let result = try StrategicMergePatch.apply(patch, to: live, schema: deploymentSchema)
        let web = result[path: ["spec", "template", "spec", "containers"]][0]
        #expect(web["env"] == j(#"[{"name":"A","value":"1"},{"name":"B","value":"two"},{"name":"C","value":"3"}]"#))
        // Without $setElementOrder, apimachinery places patch elements the live list does not
        // know before the live-only ones.
        #expect(web["ports"].arrayValue!.map { $0["containerPort"] } == [8443, 80])
        #expect(web["terminationMessagePath"] == .null)
        #expect(web.objectValue!["terminationMessagePath"] == nil)
    }

    @Test func listsWithoutAStrategyAreReplaced() throws {
        let patch = j(#"{"spec":{"template":{"spec":{"tolerations":[{"key":"y","operator":"Exists"}]}}}}"#)
        let result = try StrategicMergePatch.apply(patch, to: live, schema: deploymentSchema)
        #expect(result[path: ["spec", "template", "spec", "tolerations"]] == j(#"[{"key":"y","operator":"Exists"}]"#))
    }

    @Test func finalizersMergeAsASetAndDeleteFromPrimitiveList() throws {
        let add = try StrategicMergePatch.apply(j(#"{"metadata":{"finalizers":["b","c"]}}"#), to: live, schema: deploymentSchema)
        #expect(add[path: ["metadata", "finalizers"]] == ["a", "b", "c"])
        let remove = try StrategicMergePatch.apply(
            j(#"{"metadata":{"$deleteFromPrimitiveList/finalizers":["a"],"$setElementOrder/finalizers":["b"]}}"#),
            to: live, schema: deploymentSchema)
        #expect(remove[path: ["metadata", "finalizers"]] == ["b"])
    }

    @Test func retainKeysClearsFieldsNotListed() throws {
        let patch = j(#"{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}"#)
        let result = try StrategicMergePatch.apply(patch, to: live, schema: deploymentSchema)
        #expect(result[path: ["spec", "strategy"]] == j(#"{"type":"Recreate"}"#))
        let bad = j(#"{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":{"maxSurge":1}}}}"#)
        let error = #expect(throws: PatchError.self) { try StrategicMergePatch.apply(bad, to: live, schema: deploymentSchema) }
        #expect(error?.kind == .badRequest)
        #expect(error?.message.contains("rollingUpdate") == true)
    }

    @Test func objectDirectivesReplaceAndDelete() throws {
        let replaced = try StrategicMergePatch.apply(j(#"{"spec":{"strategy":{"$patch":"replace","type":"Recreate"}}}"#), to: live, schema: deploymentSchema)
        #expect(replaced[path: ["spec", "strategy"]] == j(#"{"type":"Recreate"}"#))
        let deleted = try StrategicMergePatch.apply(j(#"{"spec":{"strategy":{"$patch":"delete"}}}"#), to: live, schema: deploymentSchema)
        #expect(deleted[path: ["spec", "strategy"]] == j("{}"))
        let merged = try StrategicMergePatch.apply(j(#"{"spec":{"strategy":{"$patch":"merge","type":"Recreate"}}}"#), to: live, schema: deploymentSchema)
        #expect(merged[path: ["spec", "strategy", "rollingUpdate", "maxSurge"]] == "25%")
        #expect(throws: PatchError.self) {
            try StrategicMergePatch.apply(j(#"{"spec":{"strategy":{"$patch":"explode"}}}"#), to: live, schema: deploymentSchema)
        }
    }

    @Test func servicePortsMergeByPort() throws {
        let schema = StrategicSchema.builtin(apiVersion: "v1", kind: "Service")!
        let service = j(#"{"spec":{"ports":[{"port":80,"targetPort":8080,"protocol":"TCP"},{"port":443,"targetPort":8443}]}}"#)
        let result = try StrategicMergePatch.apply(j(#"{"spec":{"ports":[{"port":443,"targetPort":9443}]}}"#), to: service, schema: schema)
        #expect(result[path: ["spec", "ports"]] == j(#"[{"port":80,"targetPort":8080,"protocol":"TCP"},{"port":443,"targetPort":9443}]"#))
    }

    @Test func unknownKindsReplaceLists() throws {
        let result = try StrategicMergePatch.apply(j(#"{"spec":{"items":[{"name":"b"}]}}"#), to: j(#"{"spec":{"items":[{"name":"a"}],"x":1}}"#), schema: .none)
        #expect(result == j(#"{"spec":{"items":[{"name":"b"}],"x":1}}"#))
    }

    @Test func elementWithoutMergeKeyIsABadRequest() {
        let error = #expect(throws: PatchError.self) {
            try StrategicMergePatch.apply(j(#"{"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}"#), to: live, schema: deploymentSchema)
        }
        #expect(error?.kind == .badRequest)
        #expect(error?.message.contains("merge key \"name\"") == true)
    }

    @Test func kubectlApplyPatchesForRemovedContainersAndAChangedStrategy() throws {
        // What `kubectl apply` sends after the sidecar was removed from the manifest and the
        // strategy switched to Recreate.
        let patch = j(#"""
        {"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":null,"type":"Recreate"},
          "template":{"spec":{"$setElementOrder/containers":[{"name":"web"}],
            "containers":[{"$patch":"delete","name":"sidecar"}]}}}}
        """#)
        let result = try StrategicMergePatch.apply(patch, to: live, schema: deploymentSchema)
        #expect(result[path: ["spec", "strategy"]] == j(#"{"type":"Recreate"}"#))
        #expect(result[path: ["spec", "template", "spec", "containers"]].arrayValue!.map { $0["name"] } == ["web"])
        #expect(result[path: ["spec", "template", "spec", "containers"]][0]["image"] == "nginx:1.25")
    }

    @Test func reordersExistingElementsWithSetElementOrderOnly() throws {
        let patch = j(#"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"sidecar"},{"name":"web"}]}}}}"#)
        let result = try StrategicMergePatch.apply(patch, to: live, schema: deploymentSchema)
        #expect(result[path: ["spec", "template", "spec", "containers"]].arrayValue!.map { $0["name"] } == ["sidecar", "web"])
    }
}
