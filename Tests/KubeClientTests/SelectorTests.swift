import Testing
@testable import KubeClient

@Suite struct LabelSelectorTests {
    @Test func parsesEveryOperator() throws {
        let s = try LabelSelector(parsing: "app=web, tier==front,env!=dev,zone in (a, b),track notin (canary),ready,!legacy,rank>2,age<10")
        #expect(s.requirements == [
            .equals("app", "web"),
            .equals("tier", "front"),
            .notEquals("env", "dev"),
            .in("zone", ["a", "b"]),
            .notIn("track", ["canary"]),
            .exists("ready"),
            .doesNotExist("legacy"),
            LabelRequirement(key: "rank", operator: .greaterThan, values: ["2"]),
            LabelRequirement(key: "age", operator: .lessThan, values: ["10"]),
        ])
    }

    @Test func encodesSortedByKeyAndReparses() throws {
        let s = try LabelSelector(parsing: "z=1,a in (y,x),!m,k,n!=3,p>4")
        #expect(s.description == "a in (x,y),k,!m,n!=3,p>4,z=1")
        #expect(try LabelSelector(parsing: s.description).description == s.description)
        #expect(try LabelSelector(parsing: "").isEverything)
        #expect(try LabelSelector(parsing: "   ").isEverything)
    }

    @Test func matchesLabels() throws {
        let labels = ["app": "web", "env": "prod", "rank": "5"]
        func m(_ text: String) throws -> Bool { try LabelSelector(parsing: text).matches(labels) }
        #expect(try m("app=web"))
        #expect(try !m("app=db"))
        #expect(try m("app==web,env=prod"))
        #expect(try m("env in (prod,staging)"))
        #expect(try !m("env notin (prod)"))
        #expect(try m("missing!=x"), "!= matches objects without the key")
        #expect(try m("missing notin (x)"), "notin matches objects without the key")
        #expect(try !m("missing in (x)"))
        #expect(try m("app"))
        #expect(try !m("!app"))
        #expect(try m("!missing"))
        #expect(try m("rank>4"))
        #expect(try !m("rank>5"))
        #expect(try m("rank<6"))
        #expect(try !m("app>1"), "non-integer labels never satisfy > or <")
        #expect(try m(""))
        #expect(try !m("env="))
        #expect(try LabelSelector(parsing: "x=").matches(["x": ""]))
    }

    @Test func errorMessagesSayWhatIsWrong() {
        func problem(_ text: String) -> String {
            do {
                _ = try LabelSelector(parsing: text)
                return "no error"
            } catch let error as LabelSelectorParseError {
                return error.description
            } catch {
                return "\(error)"
            }
        }
        #expect(problem("a in (b").contains("not closed"))
        #expect(problem("a in ()").contains("is empty"))
        #expect(problem("a>b").contains("must be an integer"))
        #expect(problem("a=b,").contains("followed by another requirement"))
        #expect(problem("a=b c").contains("expected \",\""))
        #expect(problem("=b").contains("expected a label key"))
        #expect(problem("a in b").contains("expected \"(\""))
        #expect(problem("-bad-=x").contains("invalid label key"))
        #expect(problem("a=" + String(repeating: "v", count: 64)).contains("no more than 63"))
        #expect(problem("a=b!").contains("invalid label value") || problem("a=b!").contains("expected"))
        #expect(problem("!a=b").contains("takes no operator"))
        #expect(problem("app.kubernetes.io/name=web") == "no error")
    }

    @Test func metav1JSONRoundTrip() throws {
        let json: JSONValue = [
            "matchLabels": ["app": "web"],
            "matchExpressions": [
                ["key": "tier", "operator": "In", "values": ["a", "b"]],
                ["key": "legacy", "operator": "DoesNotExist"],
            ],
        ]
        let s = try json.decode(LabelSelector.self)
        #expect(s.description == "app=web,!legacy,tier in (a,b)")
        #expect(s.matches(["app": "web", "tier": "b"]))
        #expect(!s.matches(["app": "web", "tier": "b", "legacy": "1"]))
        #expect(try JSONValue(encoding: s) == json)
        #expect(throws: KubeError.self) {
            try (["matchExpressions": [["key": "a", "operator": "Maybe"]]] as JSONValue).decode(LabelSelector.self)
        }
        #expect(try JSONValue.emptyObject.decode(LabelSelector.self).matches(["any": "thing"]))
    }

    @Test func matchesObjects() throws {
        let pod: JSONValue = ["metadata": ["name": "p", "labels": ["app": "web"]]]
        #expect(try LabelSelector(parsing: "app=web").matches(object: pod))
        #expect(try !LabelSelector(parsing: "app=db").matches(object: pod))
    }
}

@Suite struct FieldSelectorTests {
    let pod: JSONValue = [
        "metadata": ["name": "web-1", "namespace": "default"],
        "spec": ["nodeName": "node-a", "replicas": 3, "hostNetwork": false],
        "status": ["phase": "Running"],
    ]

    @Test func parsesAndMatches() throws {
        #expect(try FieldSelector(parsing: "metadata.name=web-1").matches(pod))
        #expect(try FieldSelector(parsing: "metadata.name==web-1,status.phase=Running").matches(pod))
        #expect(try !FieldSelector(parsing: "status.phase!=Running").matches(pod))
        #expect(try FieldSelector(parsing: "spec.nodeName!=node-b").matches(pod))
        #expect(try FieldSelector(parsing: "spec.replicas=3,spec.hostNetwork=false").matches(pod))
        #expect(try FieldSelector(parsing: "spec.missing=").matches(pod), "a missing field reads as empty")
        #expect(try FieldSelector(parsing: "spec.missing!=x").matches(pod))
        #expect(try FieldSelector(parsing: "").isEverything)
        #expect(try FieldSelector(parsing: "metadata.name=web-1").requiredValue(of: "metadata.name") == "web-1")
    }

    @Test func escapesAndErrors() throws {
        let s = try FieldSelector(parsing: #"metadata.name=a\,b\=c"#)
        #expect(s.requirements == [.init(field: "metadata.name", operator: .equals, value: "a,b=c")])
        #expect(s.description == #"metadata.name=a\,b\=c"#)
        #expect(try FieldSelector(parsing: s.description) == s)
        #expect(throws: FieldSelectorParseError.self) { try FieldSelector(parsing: "metadata.name") }
        #expect(throws: FieldSelectorParseError.self) { try FieldSelector(parsing: "=x") }
        #expect(throws: FieldSelectorParseError.self) { try FieldSelector(parsing: "a=b,,c=d") }
        do {
            _ = try FieldSelector(parsing: "metadata.name")
        } catch let error as FieldSelectorParseError {
            #expect(error.description.contains("has no operator"))
        }
    }
}
