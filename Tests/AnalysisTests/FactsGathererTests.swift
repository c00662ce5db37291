import Analysis
import Foundation
import KubeClient
import Testing

/// Facts gathering: what a pod can reach, and the forms of its Secrets' values that must be
/// redacted.
@Suite struct FactsGathererTests {
    @Test func secretsReachableFromEnvEnvFromVolumesProjectionsAndPullSecrets() {
        let pod: JSONValue = ["spec": [
            "containers": [[
                "name": "app",
                "env": [["name": "A", "valueFrom": ["secretKeyRef": ["name": "env-ref", "key": "k"]]],
                        ["name": "B", "valueFrom": ["configMapKeyRef": ["name": "not-a-secret", "key": "k"]]]],
                "envFrom": [["secretRef": ["name": "env-from"]], ["configMapRef": ["name": "also-not"]]],
            ]],
            "initContainers": [["name": "init", "env": [["name": "C", "valueFrom": ["secretKeyRef": ["name": "init-ref", "key": "k"]]]]]],
            "volumes": [["name": "v", "secret": ["secretName": "mounted"]],
                        ["name": "p", "projected": ["sources": [["secret": ["name": "projected"]], ["configMap": ["name": "cm"]]]]]],
            "imagePullSecrets": [["name": "registry"]],
        ]]
        #expect(FactsGatherer.secretNames(reachableFrom: [pod]) == ["env-ref", "env-from", "init-ref", "mounted", "projected", "registry"])
    }

    @Test func sensitiveFormsCoverJSONMembersAndBase64PayloadsButNotShortDerivedWords() {
        let forms = FactsGatherer.sensitiveForms(of: [
            #"{"user":"app","password":"hunter2-hunter2","nested":{"token":"tok-998877"}}"#,
            Data("the-decoded-api-token".utf8).base64EncodedString(),
            "dGhlLXVucGFkZGVkLXRva2Vu",  // base64 without padding of "the-unpadded-token"
            "abc",
        ])
        #expect(forms.contains("hunter2-hunter2"))
        #expect(forms.contains("tok-998877"))
        #expect(forms.contains("the-decoded-api-token"))
        #expect(forms.contains("the-unpadded-token"))
        // A short Secret value is kept whole (redaction matches it only as a whole string)…
        #expect(forms.contains("abc"))
        // …but a short member of a JSON value is not: it would redact ordinary words.
        #expect(!forms.contains("app"))
    }

    @Test func eventFactsCountRepeatsOfLegacyEventsAndOfEventSeries() {
        let legacy: JSONValue = [
            "type": "Warning", "reason": "BackOff", "message": "Back-off restarting failed container",
            "involvedObject": ["kind": "Pod", "name": "web-0"], "count": 7,
        ]
        #expect(EventFact(event: legacy) == EventFact(type: "Warning", reason: "BackOff",
                                                      message: "Back-off restarting failed container",
                                                      object: "Pod/web-0", count: 7))
        // Written through events.k8s.io/v1 and read as core/v1: no count, a series.
        let series: JSONValue = [
            "type": "Warning", "reason": "FailedScheduling", "message": "0/3 nodes are available",
            "involvedObject": ["kind": "Pod", "name": "web-1"], "reportingComponent": "default-scheduler",
            "eventTime": "2026-12-07T10:00:00.000000Z", "series": ["count": 4, "lastObservedTime": "2026-12-07T10:04:00.000000Z"],
        ]
        #expect(EventFact(event: series).count == 4)
        var single = series
        single["series"] = .null
        #expect(EventFact(event: single).count == 1, "a single Event without count happened once")
    }
}
