import Testing
import KubeClient
@testable import KubeSim

private func j(_ text: String) -> JSONValue { try! JSONValue(parsing: text) }

private let resources: [OpenAPIResource] = [
    OpenAPIResource(group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true, subresources: ["status", "scale"]),
    OpenAPIResource(group: "", version: "v1", kind: "Namespace", plural: "namespaces", namespaced: false, subresources: ["status"]),
    OpenAPIResource(group: "", version: "v1", kind: "Pod", plural: "pods", namespaced: true, subresources: ["status"]),
    OpenAPIResource(group: "opsagent.dev", version: "v1alpha1", kind: "AlertRule", plural: "alertrules", namespaced: true,
                    schema: j(#"{"type":"object","properties":{"spec":{"type":"object","properties":{"expr":{"type":"string"}}}}}"#),
                    subresources: ["status"]),
]

/// What kubectl's queryParamVerifierV3 does: find a PATCH operation tagged with the GVK and
/// look for a `fieldValidation` query parameter on it.
private func supportsFieldValidation(_ document: JSONValue, group: String, version: String, kind: String) -> Bool? {
    for (_, item) in document["paths"].objectValue ?? [:] {
        let patch = item["patch"]
        guard !patch.isNull else { continue }
        let gvk = patch["x-kubernetes-group-version-kind"]
        guard gvk["group"].stringValue == group, gvk["version"].stringValue == version, gvk["kind"].stringValue == kind else { continue }
        return (patch["parameters"].arrayValue ?? []).contains { $0["name"] == "fieldValidation" && $0["in"] == "query" }
    }
    return nil
}

@Suite struct OpenAPITests {
    @Test func indexListsEveryGroupVersionWithAHashedURL() throws {
        let index = OpenAPIV3.index(resources)
        let paths = try #require(index["paths"].objectValue)
        #expect(Set(paths.keys) == ["api/v1", "apis/apps/v1", "apis/opsagent.dev/v1alpha1"])
        let url = try #require(paths["apis/apps/v1"]?["serverRelativeURL"].stringValue)
        #expect(url.hasPrefix("/openapi/v3/apis/apps/v1?hash="))
        let document = try #require(OpenAPIV3.document(groupVersionPath: "apis/apps/v1", resources: resources))
        #expect(url == "/openapi/v3/apis/apps/v1?hash=\(OpenAPIV3.hash(of: document))")
        #expect(OpenAPIV3.document(groupVersionPath: "apis/batch/v1", resources: resources) == nil)
    }

    @Test func kubectlFindsFieldValidationForBuiltinsAndCustomResources() throws {
        let apps = try #require(OpenAPIV3.document(groupVersionPath: "apis/apps/v1", resources: resources))
        #expect(supportsFieldValidation(apps, group: "apps", version: "v1", kind: "Deployment") == true)
        let core = try #require(OpenAPIV3.document(groupVersionPath: "api/v1", resources: resources))
        #expect(supportsFieldValidation(core, group: "", version: "v1", kind: "Namespace") == true)
        #expect(supportsFieldValidation(core, group: "", version: "v1", kind: "Pod") == true)
        let custom = try #require(OpenAPIV3.document(groupVersionPath: "apis/opsagent.dev/v1alpha1", resources: resources))
        #expect(supportsFieldValidation(custom, group: "opsagent.dev", version: "v1alpha1", kind: "AlertRule") == true)
        #expect(custom["openapi"] == "3.0.0")
    }

    @Test func operationsAndSchemasCarryGroupVersionKind() throws {
        let apps = try #require(OpenAPIV3.document(groupVersionPath: "apis/apps/v1", resources: resources))
        let item = apps["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]
        #expect(item["patch"]["operationId"] == "patchAppsV1NamespacedDeployment")
        #expect(item["patch"]["x-kubernetes-action"] == "patch")
        // Strategic merge patch is deliberately not advertised: kubectl then builds apply patches from its own types.
        #expect(item["patch"]["requestBody"]["content"].objectValue.map { Set($0.keys) }
            == ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json"])
        #expect(apps["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]["patch"]["x-kubernetes-group-version-kind"]
            == j(#"{"group":"autoscaling","version":"v1","kind":"Scale"}"#))
        let schema = apps["components"]["schemas"]["io.k8s.api.apps.v1.Deployment"]
        #expect(schema["x-kubernetes-group-version-kind"] == j(#"[{"group":"apps","version":"v1","kind":"Deployment"}]"#))
        #expect(schema["x-kubernetes-preserve-unknown-fields"] == true)
        #expect(!apps["paths"]["/apis/apps/v1/deployments"]["get"].isNull)
    }

    @Test func customResourceSchemasComeFromTheCRD() throws {
        let custom = try #require(OpenAPIV3.document(groupVersionPath: "apis/opsagent.dev/v1alpha1", resources: resources))
        let schema = custom["components"]["schemas"]["dev.opsagent.v1alpha1.AlertRule"]
        #expect(schema[path: ["properties", "spec", "properties", "expr", "type"]] == "string")
        #expect(schema[path: ["properties", "kind", "type"]] == "string")
        #expect(schema[path: ["properties", "metadata", "allOf"]][0]["$ref"] == "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")
        #expect(custom["components"]["schemas"]["dev.opsagent.v1alpha1.AlertRuleList"]["x-kubernetes-group-version-kind"][0]["kind"] == "AlertRuleList")
    }

    @Test func hashChangesWithTheDocument() {
        let a = OpenAPIV3.hash(of: j(#"{"a":1}"#)), b = OpenAPIV3.hash(of: j(#"{"a":2}"#))
        #expect(a != b)
        #expect(a == OpenAPIV3.hash(of: j(#"{"a":1}"#)))
        #expect(a.count == 32)
    }

    @Test func swaggerV2DocumentUsesDefinitionsAndBodyParameters() throws {
        let v2 = OpenAPIV2.document(resources)
        #expect(v2["swagger"] == "2.0")
        #expect(v2["definitions"]["io.k8s.api.apps.v1.Deployment"]["x-kubernetes-group-version-kind"][0]["kind"] == "Deployment")
        let patch = v2["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
        #expect(patch["parameters"][0]["in"] == "body")
        #expect(patch["parameters"][0]["schema"]["$ref"] == "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch")
        #expect(patch["parameters"].arrayValue!.contains { $0["name"] == "fieldValidation" && $0["type"] == "string" })
        #expect(patch["consumes"].arrayValue!.contains("application/strategic-merge-patch+json"))
        let customPatch = v2["paths"]["/apis/opsagent.dev/v1alpha1/namespaces/{namespace}/alertrules/{name}"]["patch"]
        #expect(!customPatch["consumes"].arrayValue!.contains("application/strategic-merge-patch+json"))
        #expect(!v2.serialized().contains("#/components/schemas"))
    }
}
