import Testing
@testable import KubeClient

@Suite struct YAMLTests {
    @Test func multiDocumentRoundTrip() throws {
        let text = """
            # leading comment
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
              labels: {app: web}
            data:
              enabled: "true"
              version: "1.0"
              port: "8080"
              script: |
                echo hello
                exit 0
            ---
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              replicas: 3
              paused: false
              template:
                spec:
                  containers:
                  - name: web
                    image: nginx:1.27
                    args: [--ratio, 0.75, --on, yes, "no"]
                    ports: [{containerPort: 80}]
            ...
            """
        let docs = try YAML.decodeAll(text)
        #expect(docs.count == 2, "empty documents are skipped")
        #expect(docs[0]["data"]["enabled"] == "true")
        #expect(docs[0]["data"]["version"] == "1.0", "quoted \"1.0\" stays a string")
        #expect(docs[0]["data"]["port"] == "8080")
        #expect(docs[0]["data"]["script"] == "echo hello\nexit 0\n")
        #expect(docs[1]["spec"]["replicas"] == 3)
        #expect(docs[1]["spec"]["paused"] == false)
        let args = docs[1]["spec"]["template"]["spec"]["containers"][0]["args"]
        #expect(args == ["--ratio", 0.75, "--on", true, "no"])
        #expect(docs[1]["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27")

        let written = try YAML.encodeAll(docs)
        #expect(try YAML.decodeAll(written) == docs)
        #expect(written.contains("---\n"))
    }

    @Test func scalarTyping() throws {
        let doc = try YAML.decode("""
            a: yes
            b: Off
            c: 0x1F
            d: 0755
            e: 1_000
            f: 1e3
            g: ~
            h:
            i: 2024-05-01
            j: 22:22
            k: '42'
            l: !!str 7
            m: -.inf
            n: 1.5
            o: "null"
            """)
        #expect(doc["a"] == true)
        #expect(doc["b"] == false)
        #expect(doc["c"] == 31)
        #expect(doc["d"] == 493)
        #expect(doc["e"] == 1000)
        #expect(doc["f"] == 1000.0)
        #expect(doc.objectValue?["g"] == .null)
        #expect(doc.objectValue?["h"] == .null)
        #expect(doc["i"] == "2024-05-01", "timestamps stay strings")
        #expect(doc["j"] == "22:22", "no sexagesimal numbers")
        #expect(doc["k"] == "42")
        #expect(doc["l"] == "7")
        #expect(doc["m"] == "-.inf", "non-finite numbers cannot be JSON")
        #expect(doc["n"] == 1.5)
        #expect(doc["o"] == "null")
    }

    @Test func stringsThatLookLikeOtherTypesAreQuoted() throws {
        let value: JSONValue = [
            "s": ["true", "yes", "on", "y", "N", "1.0", "42", "0x10", "null", "~", "", "2024-01-01", "plain", "a: b", "- x", "#c"],
            "n": [1, 2.5, true, nil],
            "multi": "line one\nline two\n",
            "nested": ["empty": [:], "list": []],
        ]
        let text = try value.yaml()
        #expect(try JSONValue(yaml: text) == value)
        #expect(text.contains("multi: |"))
        #expect(text.contains("- plain"))
    }

    @Test func anchorsAndMergeKeys() throws {
        let doc = try YAML.decode("""
            base: &base {cpu: 100m, memory: 64Mi}
            small:
              <<: *base
              memory: 32Mi
            list: [*base]
            """)
        #expect(doc["small"] == ["cpu": "100m", "memory": "32Mi"])
        #expect(doc["list"][0]["cpu"] == "100m")
    }

    @Test func syntaxErrorsNameTheLine() throws {
        do {
            _ = try YAML.decodeAll("a: [1, 2\nb: c\n")
            Issue.record("expected an error")
        } catch let error as KubeError {
            #expect(error.description.contains("invalid YAML"))
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(throws: KubeError.self) { try YAML.decode("a: 1\n---\nb: 2\n") }
        #expect(try YAML.decodeAll("") == [])
        #expect(try YAML.decodeAll("---\n# only a comment\n---\n") == [])
    }
}
