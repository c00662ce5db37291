import Foundation
import Testing
@testable import KubeSim

/// kubectl 1.32 with a CustomResourceDefinition and its custom resources.
@Suite("Simulator with kubectl: custom resources")
struct SimulatorKubectlCRDTests {
    static let shared = SharedSimulator { sim in
        let kubectl = Kubectl(kubeconfig: sim.kubeconfigPath)
        let applied = try await kubectl.run("apply", "-f", "-", input: SimulatorKubectlCRDTests.crd)
        guard applied.succeeded else { throw SetupFailure(description: "applying the CRD: \(applied)") }
        let established = try await kubectl.run("wait", "--for=condition=Established", "crd/widgets.example.com",
                                                "--timeout=20s")
        guard established.succeeded else { throw SetupFailure(description: "waiting for the CRD: \(established)") }
    }
    static let widgets = GroupResource(group: "example.com", resource: "widgets")

    static let crd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.example.com
        spec:
          group: example.com
          scope: Namespaced
          names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
          versions:
          - name: v1
            served: true
            storage: true
            subresources:
              status: {}
              scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas}
            additionalPrinterColumns:
            - {name: Size, type: integer, jsonPath: .spec.size}
            - {name: Color, type: string, jsonPath: .spec.color}
            - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    required: [size]
                    properties:
                      size: {type: integer, minimum: 1, maximum: 10}
                      color: {type: string, enum: [red, blue], default: red}
                      replicas: {type: integer}
                  status:
                    type: object
                    properties:
                      replicas: {type: integer}
                      observedGeneration: {type: integer}
                      conditions:
                        type: array
                        items:
                          type: object
                          properties:
                            type: {type: string}
                            status: {type: string}
                            observedGeneration: {type: integer}
        """

    /// A CRD of group example.com up to its one version's `storage: true` line; the caller
    /// adds the rest of that version (schema, columns) indented by four spaces.
    static func exampleCRD(plural: String, kind: String) -> String {
        """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: \(plural).example.com}
        spec:
          group: example.com
          scope: Namespaced
          names: {plural: \(plural), singular: \(kind.lowercased()), kind: \(kind)}
          versions:
          - name: v1
            served: true
            storage: true

        """
    }

    static func widget(_ name: String, size: Int = 3, extra: String = "") -> String {
        """
        apiVersion: example.com/v1
        kind: Widget
        metadata:
          name: \(name)
        \(extra)
        spec:
          size: \(size)
          replicas: 1
        """
    }

    /// The simulator with the Widget CRD applied and Established.
    func ready() async throws -> (Simulator, Kubectl) {
        let sim = try await Self.shared.get()
        return (sim, Kubectl(kubeconfig: sim.kubeconfigPath))
    }

    @Test("apply a CR client-side and server-side; get shows the printer columns and the schema default")
    func applyAndGet() async throws {
        let (_, kubectl) = try await ready()
        var result = try await kubectl.run("apply", "-f", "-", input: Self.widget("client-side"))
        #expect(result.stdout.contains("widget.example.com/client-side created"), "\(result)")
        result = try await kubectl.run("apply", "--server-side", "-f", "-", input: Self.widget("server-side", size: 4))
        #expect(result.stdout.contains("widget.example.com/server-side serverside-applied"), "\(result)")

        result = try await kubectl.run("get", "widgets")
        let lines = result.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(lines.first == ["NAME", "SIZE", "COLOR", "AGE"], "\(result)")
        #expect(lines.contains { $0.prefix(3) == ["client-side", "3", "red"] }, "\(result)")
        #expect(lines.contains { $0.prefix(3) == ["server-side", "4", "red"] }, "\(result)")

        result = try await kubectl.run("get", "wd", "server-side", "-o", "yaml", "--show-managed-fields")
        #expect(result.stdout.contains("color: red"), "\(result)")
        #expect(result.stdout.contains("manager: kubectl"), "\(result)")
        #expect(result.stdout.contains("operation: Apply"), "\(result)")
    }

    @Test("a server dry run answers with the whole object, and so does a read after the CRD changed")
    func dryRunAndReadAfterACRDChange() async throws {
        let (_, kubectl) = try await ready()
        var result = try await kubectl.run("create", "--dry-run=server", "-o", "json", "-f", "-", input: Self.widget("dry-run"))
        #expect(result.succeeded && result.stdout.contains("\"kind\": \"Widget\"") && result.stdout.contains("\"size\": 3"),
                "\(result)")
        #expect(try await kubectl.run("get", "widget", "dry-run").succeeded == false)

        result = try await kubectl.run("apply", "-f", "-", input: Self.widget("before-change", size: 5))
        #expect(result.succeeded, "\(result)")
        // Any change to the CRD makes the objects written before it "older than the schema".
        result = try await kubectl.run("label", "crd", "widgets.example.com", "touched=\(UUID().uuidString.prefix(6).lowercased())",
                                       "--overwrite")
        #expect(result.succeeded, "\(result)")
        result = try await kubectl.run("get", "widget", "before-change", "-o", "json")
        #expect(result.succeeded && result.stdout.contains("\"kind\": \"Widget\"") && result.stdout.contains("\"size\": 5"),
                "\(result)")
    }

    @Test("an invalid custom resource is rejected with messages naming each field")
    func invalidResource() async throws {
        let (_, kubectl) = try await ready()
        let result = try await kubectl.run("apply", "-f", "-", input: """
            apiVersion: example.com/v1
            kind: Widget
            metadata: {name: broken}
            spec: {size: 30, color: green}
            """)
        #expect(!result.succeeded)
        #expect(result.stderr.contains("spec.size: Invalid value: 30: spec.size in body should be less than or equal to 10"), "\(result)")
        #expect(result.stderr.contains("spec.color: Unsupported value: \"green\": supported values: \"red\", \"blue\""), "\(result)")
    }

    @Test("a CRD whose schema is not structural or whose CEL rule does not compile is refused, naming the schema field")
    func unusableSchemaIsRefused() async throws {
        let (_, kubectl) = try await ready()
        let result = try await kubectl.run("apply", "-f", "-", input: Self.exampleCRD(plural: "gadgets", kind: "Gadget") + """
                schema:
                  openAPIV3Schema:
                    type: object
                    properties:
                      spec:
                        properties: {size: {type: integer}}
                        x-kubernetes-validations: [{rule: "self.size.frobnicate()"}]
            """)
        #expect(!result.succeeded)
        #expect(result.stderr.contains(#"The CustomResourceDefinition "gadgets.example.com" is invalid"#), "\(result)")
        #expect(result.stderr.contains("spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields"), "\(result)")
        #expect(result.stderr.contains("spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule"), "\(result)")
        let get = try await kubectl.run("get", "crd", "gadgets.example.com")
        #expect(!get.succeeded, "the refused CRD was stored: \(get)")

        let badColumns = try await kubectl.run("apply", "-f", "-", input: Self.exampleCRD(plural: "gizmos", kind: "Gizmo") + """
                additionalPrinterColumns:
                - {name: Size, type: int, jsonPath: .spec.size}
                - {name: Color, type: string, jsonPath: "spec.color"}
                schema:
                  openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
            """)
        #expect(!badColumns.succeeded)
        #expect(badColumns.stderr.contains(#"spec.versions[0].additionalPrinterColumns[0].type: Unsupported value: "int": supported values: "boolean", "date", "integer", "number", "string""#), "\(badColumns)")
        #expect(badColumns.stderr.contains(#"spec.versions[0].additionalPrinterColumns[1].jsonPath: Invalid value: "spec.color": must be a simple json path starting with ."#), "\(badColumns)")
    }

    @Test("unknown fields fail with --validate=strict, warn with --validate=warn, and are pruned")
    func fieldValidation() async throws {
        let (_, kubectl) = try await ready()
        let manifest = """
            apiVersion: example.com/v1
            kind: Widget
            metadata: {name: unknown-field}
            spec: {size: 2, bogus: true}
            """
        var result = try await kubectl.run("apply", "-f", "-", input: manifest)
        #expect(!result.succeeded)
        #expect(result.stderr.contains(#"Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.bogus""#), "\(result)")
        result = try await kubectl.run("apply", "--validate=warn", "-f", "-", input: manifest)
        #expect(result.succeeded, "\(result)")
        #expect(result.stderr.contains(#"unknown field "spec.bogus""#), "\(result)")
        result = try await kubectl.run("get", "widget", "unknown-field", "-o", "jsonpath={.spec}")
        #expect(result.stdout == #"{"color":"red","size":2}"#, "\(result)")
    }

    @Test("get -w prints the change made while it watches")
    func watchSeesChange() async throws {
        let (_, kubectl) = try await ready()
        #expect(try await kubectl.run("apply", "-f", "-", input: Self.widget("watched")).succeeded)
        let watching = Task {
            try await kubectl.run("get", "widget", "watched", "-w", "--output-watch-events", "--request-timeout=6s",
                                  timeout: 30)
        }
        // When kubectl's watch starts is not visible from here (other tests watch this cluster
        // too): change the object every 300 ms while kubectl runs; it must print the changes
        // made after its first listing, in order.
        var patched: [Int] = []
        for size in Array(4...10) + Array(1...7) {  // the schema allows 1...10
            try await Task.sleep(for: .milliseconds(300))
            let result = try await kubectl.run("patch", "widget", "watched", "--type", "merge", "-p", #"{"spec":{"size":\#(size)}}"#)
            if result.succeeded { patched.append(size) }
        }
        let output = try await watching.value
        let events = output.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        let added = events.filter { $0.first == "ADDED" && $0.dropFirst().first == "watched" }
        let modified = events.filter { $0.first == "MODIFIED" && $0.dropFirst().first == "watched" }.compactMap { Int($0[2]) }
        #expect(patched.count == 14)
        #expect(added.count == 1, "\(output)")
        // The changes kubectl printed are ones that were made, in the order they were made.
        var rest = patched[...]
        let inOrder = modified.allSatisfy { size in
            guard let at = rest.firstIndex(of: size) else { return false }
            rest = rest[(at + 1)...]
            return true
        }
        #expect(!modified.isEmpty && inOrder, "patched \(patched); kubectl printed \(output)")
    }

    @Test("wait --for=condition=Ready returns once the status reports it for the current generation")
    func waitForReady() async throws {
        let (_, kubectl) = try await ready()
        #expect(try await kubectl.run("apply", "-f", "-", input: Self.widget("waiting")).succeeded)
        let waiting = Task { try await kubectl.run("wait", "--for=condition=Ready", "widget/waiting", "--timeout=20s", timeout: 30) }
        let status = #"{"status":{"observedGeneration":1,"conditions":[{"type":"Ready","status":"True","observedGeneration":1}]}}"#
        let patched = try await kubectl.run("patch", "widget", "waiting", "--subresource=status", "--type", "merge", "-p", status)
        #expect(patched.succeeded, "\(patched)")
        let result = try await waiting.value
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout.contains("widget.example.com/waiting condition met"), "\(result)")
    }

    @Test("patch --type merge and json change a CR; strategic merge is refused for it but works on a Deployment")
    func patchTypes() async throws {
        let (_, kubectl) = try await ready()
        #expect(try await kubectl.run("apply", "-f", "-", input: Self.widget("patched")).succeeded)
        #expect(try await kubectl.run("patch", "widget", "patched", "--type", "merge", "-p", #"{"spec":{"size":5}}"#).succeeded)
        #expect(try await kubectl.run("patch", "widget", "patched", "--type", "json",
                                      "-p", #"[{"op":"replace","path":"/spec/color","value":"blue"}]"#).succeeded)
        var result = try await kubectl.run("get", "widget", "patched", "-o", "jsonpath={.spec.size} {.spec.color} {.metadata.generation}")
        #expect(result.stdout == "5 blue 3", "\(result)")
        result = try await kubectl.run("patch", "widget", "patched", "--type", "strategic", "-p", #"{"spec":{"size":6}}"#)
        #expect(!result.succeeded)
        #expect(result.stderr.contains("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"), "\(result)")

        #expect(try await kubectl.run("create", "deployment", "strategic", "--image=nginx:1.27").succeeded)
        result = try await kubectl.run("patch", "deployment", "strategic", "--type", "strategic",
                                       "-p", #"{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.36"}]}}}}"#)
        #expect(result.succeeded, "\(result)")
        result = try await kubectl.run("get", "deployment", "strategic", "-o", "jsonpath={.spec.template.spec.containers[*].name}")
        #expect(result.stdout.split(separator: " ").sorted() == ["nginx", "sidecar"], "\(result)")
    }

    @Test("scale sets a custom resource's replicas through its scale subresource")
    func scaleCustomResource() async throws {
        let (_, kubectl) = try await ready()
        #expect(try await kubectl.run("apply", "-f", "-", input: Self.widget("scaled")).succeeded)
        let result = try await kubectl.run("scale", "widget", "scaled", "--replicas=4")
        #expect(result.stdout.contains("widget.example.com/scaled scaled"), "\(result)")
        let replicas = try await kubectl.run("get", "widget", "scaled", "-o", "jsonpath={.spec.replicas}")
        #expect(replicas.stdout == "4")
    }

    @Test("delete waits until the object's finalizers are removed")
    func deleteHonoursFinalizers() async throws {
        let (sim, kubectl) = try await ready()
        let manifest = Self.widget("held", extra: "  finalizers: [example.com/cleanup]")
        #expect(try await kubectl.run("apply", "-f", "-", input: manifest).succeeded)
        let deleting = Task { try await kubectl.run("delete", "widget", "held", "--timeout=30s", timeout: 40) }
        let key = StoreKey(namespace: "default", name: "held")
        #expect(await eventually { sim.store.get(Self.widgets, key)?.isTerminating == true })
        #expect(sim.store.get(Self.widgets, key) != nil)
        #expect(try await kubectl.run("patch", "widget", "held", "--type", "json",
                                      "-p", #"[{"op":"remove","path":"/metadata/finalizers"}]"#).succeeded)
        let result = try await deleting.value
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout.contains("widget.example.com \"held\" deleted"), "\(result)")
        #expect(sim.store.get(Self.widgets, key) == nil)
    }

    @Test("describe shows a custom resource's fields")
    func describe() async throws {
        let (_, kubectl) = try await ready()
        #expect(try await kubectl.run("apply", "-f", "-", input: Self.widget("described", size: 7)).succeeded)
        let result = try await kubectl.run("describe", "widget", "described")
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout.contains("Name:         described"), "\(result)")
        #expect(result.stdout.contains("Kind:         Widget"), "\(result)")
        #expect(result.stdout.contains("Size:   7") || result.stdout.contains("Size:      7") || result.stdout.range(of: #"Size:\s+7"#, options: .regularExpression) != nil, "\(result)")
    }
}

struct SetupFailure: Error, CustomStringConvertible {
    var description: String
}
