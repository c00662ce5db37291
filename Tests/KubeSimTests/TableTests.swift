import Foundation
import Testing
import KubeClient
@testable import KubeSim

private func j(_ text: String) -> JSONValue { try! JSONValue(parsing: text) }
private let now = Date(timeIntervalSince1970: RFC3339Time.seconds("2024-05-03T12:00:00Z")!)

@Suite struct TableTests {
    @Test func humanDurationMatchesKubectl() {
        let cases: [(TimeInterval, String)] = [
            (-5, "<invalid>"), (-0.5, "0s"), (5, "5s"), (119, "119s"), (184, "3m4s"), (300, "5m"), (600, "10m"),
            (179 * 60, "179m"), (3 * 3600 + 60, "3h1m"), (5 * 3600, "5h"), (20 * 3600 + 59 * 60, "20h"),
            (51 * 3600, "2d3h"), (48 * 3600, "2d"), (30 * 86400 + 3600, "30d"), (2 * 365 * 86400 + 10 * 86400, "2y10d"),
            (9 * 365 * 86400, "9y"),
        ]
        for (interval, text) in cases { #expect(HumanDuration.format(interval) == text, "\(interval)") }
        #expect(HumanDuration.since("2024-05-03T11:55:00Z", now: now) == "5m")
        #expect(HumanDuration.since(nil, now: now) == "<unknown>")
    }

    @Test func customResourceColumnsFollowPrinterColumns() throws {
        let builder = try TableBuilder.customResource(printerColumns: j(#"""
        [{"name":"Phase","type":"string","jsonPath":".status.phase"},
         {"name":"Replicas","type":"integer","jsonPath":".spec.replicas","description":"Desired replicas"},
         {"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"},
         {"name":"First","type":"string","jsonPath":".spec.targets[0].host","priority":1},
         {"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}]
        """#))
        let object = j(#"""
        {"apiVersion":"opsagent.dev/v1alpha1","kind":"BlueGreenDeployment",
         "metadata":{"name":"shop","namespace":"prod","creationTimestamp":"2024-05-01T09:00:00Z","uid":"u1"},
         "spec":{"replicas":3,"targets":[{"host":"a.example"}]},
         "status":{"phase":"Promoting","conditions":[{"type":"Progressing","status":"True"},{"type":"Ready","status":"False"}]}}
        """#)
        let table = builder.table(for: [object], resourceVersion: "42", continueToken: "abc", now: now)
        #expect(table["kind"] == "Table")
        #expect(table["apiVersion"] == "meta.k8s.io/v1")
        #expect(table["metadata"] == j(#"{"resourceVersion":"42","continue":"abc"}"#))
        let columns = table["columnDefinitions"].arrayValue!
        #expect(columns.map { $0["name"] } == ["Name", "Phase", "Replicas", "Ready", "First", "Age"])
        #expect(columns[0]["format"] == "name")
        #expect(columns[1]["description"] == "Custom resource definition column (in JSONPath format): .status.phase")
        #expect(columns[2] == j(#"{"name":"Replicas","type":"integer","format":"","description":"Desired replicas","priority":0}"#))
        #expect(columns[4]["priority"] == 1)
        let row = table["rows"][0]
        #expect(row["cells"] == j(#"["shop","Promoting",3,"False","a.example","2d3h"]"#))
        #expect(row["object"] == j(#"{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"shop","namespace":"prod","creationTimestamp":"2024-05-01T09:00:00Z","uid":"u1"}}"#))
    }

    @Test func missingValuesGiveNullCellsAndDefaultsGiveAnAgeColumn() throws {
        let builder = try TableBuilder.customResource(printerColumns: nil)
        #expect(builder.columns.map(\.name) == ["Name", "Age"])
        #expect(builder.columns[1].type == "date")
        let sparse = try TableBuilder.customResource(printerColumns: j(#"[{"name":"Phase","type":"string","jsonPath":".status.phase"}]"#))
        #expect(sparse.row(for: j(#"{"metadata":{"name":"x"}}"#), now: now)["cells"] == j(#"["x",null]"#))
        #expect(throws: TableError.self) { try TableBuilder.customResource(printerColumns: j(#"[{"name":"X","type":"string","jsonPath":".a[?(b)]"}]"#)) }
        #expect(throws: TableError.self) { try TableBuilder.customResource(printerColumns: j(#"[{"name":"X","type":"float","jsonPath":".a"}]"#)) }
    }

    @Test func includeObjectControlsTheRowObject() {
        let object = j(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","creationTimestamp":"2024-05-03T11:59:30Z"},"data":{"a":"1","b":"2"}}"#)
        let builder = TableBuilder.builtin(group: "", kind: "ConfigMap")
        #expect(builder.row(for: object, includeObject: .object, now: now)["object"] == object)
        let none = builder.row(for: object, includeObject: .none, now: now)
        #expect(none.objectValue?["object"] == .null)
        #expect(builder.row(for: object, now: now)["cells"] == j(#"["c",2,"30s"]"#))
        #expect(builder.table(for: [object], resourceVersion: "1", includeColumnDefinitions: false, now: now)["columnDefinitions"] == j("[]"))
        #expect(TableIncludeObject(queryValue: "Object") == .object)
        #expect(TableIncludeObject(queryValue: nil) == .metadata)
    }

    @Test func podStatusReadyAndRestartsLikeKubectl() {
        let printer = TableBuilder.builtin(group: "", kind: "Pod")
        #expect(printer.columns.map(\.name) == ["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"])
        let running = j(#"""
        {"metadata":{"name":"web-1","creationTimestamp":"2024-05-03T11:00:00Z"},
         "spec":{"nodeName":"sim-node","containers":[{"name":"web"},{"name":"side"}]},
         "status":{"phase":"Running","podIP":"10.0.0.5","podIPs":[{"ip":"10.0.0.5"}],
           "conditions":[{"type":"Ready","status":"False"}],
           "containerStatuses":[
             {"name":"web","ready":true,"restartCount":0,"state":{"running":{}}},
             {"name":"side","ready":false,"restartCount":4,"state":{"waiting":{"reason":"CrashLoopBackOff"}},
              "lastState":{"terminated":{"finishedAt":"2024-05-03T11:57:00Z","exitCode":1}}}]}}
        """#)
        #expect(printer.row(for: running, now: now)["cells"] == j(#"["web-1","1/2","CrashLoopBackOff","4 (3m ago)","60m","10.0.0.5","sim-node","<none>","<none>"]"#))

        let completed = j(#"{"metadata":{"name":"job-x"},"spec":{"containers":[{"name":"c"}]},"status":{"phase":"Succeeded","containerStatuses":[{"name":"c","ready":false,"restartCount":0,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}}"#)
        let row = printer.row(for: completed, now: now)
        #expect(row["cells"][2] == "Completed")
        #expect(row["conditions"][0]["reason"] == "Succeeded")

        let terminating = j(#"{"metadata":{"name":"p","deletionTimestamp":"2024-05-03T11:59:00Z"},"spec":{"containers":[{"name":"c"}]},"status":{"phase":"Running"}}"#)
        #expect(printer.row(for: terminating, now: now)["cells"][2] == "Terminating")
        let pending = j(#"{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]},"status":{"phase":"Pending","containerStatuses":[{"name":"c","state":{"waiting":{"reason":"ImagePullBackOff"}}}]}}"#)
        #expect(printer.row(for: pending, now: now)["cells"][2] == "ImagePullBackOff")
    }

    @Test func workloadAndServiceColumns() {
        let deployment = j(#"""
        {"metadata":{"name":"web","creationTimestamp":"2024-05-03T11:59:55Z"},
         "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.26"},{"name":"log","image":"fluent"}]}}},
         "status":{"readyReplicas":2,"updatedReplicas":3,"availableReplicas":2}}
        """#)
        let printer = TableBuilder.builtin(group: "apps", kind: "Deployment")
        #expect(printer.columns.map(\.name) == ["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"])
        #expect(printer.row(for: deployment, now: now)["cells"] == j(#"["web","2/3",3,2,"5s","web,log","nginx:1.26,fluent","app=web"]"#))

        let service = j(#"""
        {"metadata":{"name":"shop"},"spec":{"type":"NodePort","clusterIP":"10.96.0.10","clusterIPs":["10.96.0.10"],
          "ports":[{"port":80,"nodePort":30080,"protocol":"TCP"},{"port":53,"protocol":"UDP"}],"selector":{"app":"shop","tier":"web"}}}
        """#)
        #expect(TableBuilder.builtin(group: "", kind: "Service").row(for: service, now: now)["cells"]
            == j(#"["shop","NodePort","10.96.0.10","<none>","80:30080/TCP,53/UDP","<unknown>","app=shop,tier=web"]"#))
        let lb = j(#"{"metadata":{"name":"lb"},"spec":{"type":"LoadBalancer","clusterIP":"10.96.0.11","ports":[{"port":443,"protocol":"TCP"}]}}"#)
        #expect(TableBuilder.builtin(group: "", kind: "Service").row(for: lb, now: now)["cells"][3] == "<pending>")

        let job = j(#"{"metadata":{"name":"j"},"spec":{"completions":2,"template":{"spec":{"containers":[]}}},"status":{"succeeded":2,"startTime":"2024-05-03T11:00:00Z","completionTime":"2024-05-03T11:03:04Z","conditions":[{"type":"Complete","status":"True"}]}}"#)
        #expect(TableBuilder.builtin(group: "batch", kind: "Job").row(for: job, now: now)["cells"].arrayValue![1...3] == ["Complete", "2/2", "3m4s"])
    }

    @Test func otherBuiltinsAndTheStandardConvertor() {
        let crd = j(#"{"metadata":{"name":"widgets.example.com","creationTimestamp":"2024-05-01T09:00:00Z"}}"#)
        let standard = TableBuilder.builtin(group: "apiextensions.k8s.io", kind: "CustomResourceDefinition")
        #expect(standard.columns.map(\.name) == ["Name", "Created At"])
        #expect(standard.row(for: crd, now: now)["cells"] == j(#"["widgets.example.com","2024-05-01T09:00:00Z"]"#))

        let node = j(#"{"metadata":{"name":"n1","labels":{"node-role.kubernetes.io/control-plane":""}},"spec":{"unschedulable":true},"status":{"conditions":[{"type":"Ready","status":"True"}],"nodeInfo":{"kubeletVersion":"v1.32.0"},"addresses":[{"type":"InternalIP","address":"172.18.0.2"}]}}"#)
        #expect(TableBuilder.builtin(group: "", kind: "Node").row(for: node, now: now)["cells"].arrayValue![0...4] == ["n1", "Ready,SchedulingDisabled", "control-plane", "<unknown>", "v1.32.0"])

        let endpoints = j(#"{"metadata":{"name":"e"},"subsets":[{"addresses":[{"ip":"10.0.0.1"},{"ip":"10.0.0.2"},{"ip":"10.0.0.3"},{"ip":"10.0.0.4"}],"ports":[{"port":8080}]}]}"#)
        #expect(TableBuilder.builtin(group: "", kind: "Endpoints").row(for: endpoints, now: now)["cells"][1] == "10.0.0.1:8080,10.0.0.2:8080,10.0.0.3:8080 + 1 more...")

        let event = j(#"{"metadata":{"name":"web.17"},"type":"Warning","reason":"BackOff","message":"Back-off restarting failed container ","involvedObject":{"kind":"Pod","name":"web-1"},"lastTimestamp":"2024-05-03T11:58:00Z","firstTimestamp":"2024-05-03T11:40:00Z","count":7,"source":{"component":"kubelet","host":"sim-node"}}"#)
        #expect(TableBuilder.builtin(group: "", kind: "Event").row(for: event, now: now)["cells"]
            == j(#"["2m","Warning","BackOff","pod/web-1","","kubelet, sim-node","Back-off restarting failed container","20m",7,"web.17"]"#))

        let lease = j(#"{"metadata":{"name":"opsagent-leader"},"spec":{"holderIdentity":"pod-a"}}"#)
        #expect(TableBuilder.builtin(group: "coordination.k8s.io", kind: "Lease").row(for: lease, now: now)["cells"][1] == "pod-a")
        let secret = j(#"{"metadata":{"name":"s"},"type":"kubernetes.io/tls","data":{"tls.crt":"x","tls.key":"y"}}"#)
        #expect(TableBuilder.builtin(group: "", kind: "Secret").row(for: secret, now: now)["cells"].arrayValue![1...2] == ["kubernetes.io/tls", 2])
    }

    @Test func jsonPathSubset() throws {
        let doc = j(#"{"metadata":{"labels":{"app.kubernetes.io/name":"shop"}},"spec":{"items":[{"n":1},{"n":2},{"n":3}]}}"#)
        #expect(try JSONPath(#".metadata.labels.app\.kubernetes\.io/name"#).values(in: doc) == ["shop"])
        #expect(try JSONPath(".metadata.labels['app.kubernetes.io/name']").values(in: doc) == ["shop"])
        #expect(try JSONPath("{.spec.items[*].n}").values(in: doc) == [1, 2, 3])
        #expect(try JSONPath(".spec.items[-1].n").values(in: doc) == [3])
        #expect(try JSONPath(".spec.items[0:2].n").values(in: doc) == [1, 2])
        #expect(try JSONPath(".spec.items[?(@.n > 1)].n").values(in: doc) == [2, 3])
        #expect(try JSONPath(".spec.missing.deep").values(in: doc) == [])
        #expect(throws: TableError.self) { try JSONPath("..name") }
    }
}
