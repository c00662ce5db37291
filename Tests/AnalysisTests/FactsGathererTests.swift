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
}
