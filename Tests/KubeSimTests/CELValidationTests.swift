import Testing
import KubeClient
@testable import KubeSim

private func j(_ text: String) -> JSONValue { try! JSONValue(parsing: text) }

/// A schema with rules on `spec`, returning the messages for a spec value.
private func ruleErrors(_ rules: String, properties: String, spec: String, oldSpec: String? = nil) throws -> [String] {
    let schema = try StructuralSchema(openAPIV3Schema: j(#"{"type":"object","properties":{"spec":{"type":"object","properties":\#(properties),"x-kubernetes-validations":\#(rules)}}}"#))
    let old = oldSpec.map { j(#"{"spec":\#($0)}"#) }
    return schema.validate(j(#"{"spec":\#(spec)}"#), oldObject: old).map(\.description)
}

private let replicaProperties = #"{"replicas":{"type":"integer"},"maxReplicas":{"type":"integer"},"mode":{"type":"string"},"ratio":{"type":"number"},"items":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"},"weight":{"type":"integer"}}}},"labels":{"type":"object","additionalProperties":{"type":"string"}}}"#

@Suite struct CELValidationTests {
    func check(_ rule: String, _ spec: String) throws -> Bool {
        try ruleErrors(#"[{"rule":\#(JSONValue.string(rule).serialized())}]"#, properties: replicaProperties, spec: spec).isEmpty
    }

    @Test func comparisonsAndDefaultMessage() throws {
        let messages = try ruleErrors(#"[{"rule":"self.replicas <= self.maxReplicas"}]"#, properties: replicaProperties, spec: #"{"replicas":5,"maxReplicas":3}"#)
        #expect(messages == [#"spec: Invalid value: "object": failed rule: self.replicas <= self.maxReplicas"#])
        #expect(try check("self.replicas <= self.maxReplicas", #"{"replicas":3,"maxReplicas":3}"#))
    }

    @Test func customMessageReasonAndFieldPath() throws {
        let messages = try ruleErrors(#"[{"rule":"self.replicas >= 0","message":"replicas must not be negative","reason":"FieldValueForbidden","fieldPath":".replicas"}]"#,
                                      properties: replicaProperties, spec: #"{"replicas":-1}"#)
        #expect(messages == ["spec.replicas: Forbidden: replicas must not be negative"])
    }

    @Test func messageExpressionBuildsTheText() throws {
        let messages = try ruleErrors(#"[{"rule":"self.replicas < 10","messageExpression":"'replicas is ' + string(self.replicas) + ', limit 10'"}]"#,
                                      properties: replicaProperties, spec: #"{"replicas":12}"#)
        #expect(messages == [#"spec: Invalid value: "object": replicas is 12, limit 10"#])
    }

    @Test func presenceSizeAndLogic() throws {
        #expect(try check("has(self.mode) || self.replicas == 0", #"{"replicas":0}"#))
        #expect(try !check("has(self.mode) || self.replicas == 0", #"{"replicas":1}"#))
        #expect(try check("!has(self.mode) || size(self.mode) <= 4", #"{"mode":"fast"}"#))
        #expect(try !check("self.mode.size() < 4", #"{"mode":"fast"}"#))
        #expect(try check("self.mode in ['fast', 'safe'] && self.mode != 'slow'", #"{"mode":"safe"}"#))
        #expect(try check("(self.replicas > 2 ? 'big' : 'small') == 'small'", #"{"replicas":1}"#))
        #expect(try check("self.ratio > 0.5 && self.ratio < 1", #"{"ratio":0.75}"#))
        #expect(try check("self.ratio == 1", #"{"ratio":1}"#))
        #expect(try check("'app' in self.labels && self.labels['app'].startsWith('we')", #"{"labels":{"app":"web"}}"#))
        #expect(try check("self.mode.matches('^f[a-z]+$') && self.mode.upperAscii() == 'FAST'", #"{"mode":"fast"}"#))
    }

    @Test func macrosOverLists() throws {
        let spec = #"{"items":[{"name":"a","weight":30},{"name":"b","weight":70}]}"#
        #expect(try check("self.items.all(i, i.weight >= 0 && i.weight <= 100)", spec))
        #expect(try check("self.items.exists(i, i.name == 'b')", spec))
        #expect(try check("self.items.exists_one(i, i.weight > 50)", spec))
        #expect(try check("self.items.map(i, i.weight).sum() == 100", spec))
        #expect(try check("self.items.filter(i, i.weight > 40).size() == 1", spec))
        #expect(try !check("self.items.all(i, i.weight < 50)", spec))
    }

    @Test func transitionRulesSeeOldSelfOnlyOnUpdate() throws {
        let rules = #"[{"rule":"self.mode == oldSelf.mode","message":"mode is immutable"}]"#
        #expect(try ruleErrors(rules, properties: replicaProperties, spec: #"{"mode":"fast"}"#) == [])
        #expect(try ruleErrors(rules, properties: replicaProperties, spec: #"{"mode":"fast"}"#, oldSpec: #"{"mode":"fast"}"#) == [])
        #expect(try ruleErrors(rules, properties: replicaProperties, spec: #"{"mode":"safe"}"#, oldSpec: #"{"mode":"fast"}"#)
            == [#"spec: Invalid value: "object": mode is immutable"#])
    }

    /// Ratcheting (KEP-4008): an unchanged value that breaks a rule added later is accepted on
    /// update; a changed one is checked; a transition rule runs even on unchanged values.
    @Test func unchangedValuesRatchetExceptUnderTransitionRules() throws {
        let schema = try StructuralSchema(openAPIV3Schema: j(#"""
        {"type":"object","properties":{
          "spec":{"type":"object","properties":\#(replicaProperties),"x-kubernetes-validations":[{"rule":"self.replicas <= self.maxReplicas","message":"too many"}]},
          "frozen":{"type":"object","properties":{"v":{"type":"integer"}},"x-kubernetes-validations":[{"rule":"self.v != oldSelf.v","message":"must change"}]},
          "status":{"type":"object","properties":{"phase":{"type":"string"}}}}}
        """#))
        let stored = j(#"{"spec":{"replicas":5,"maxReplicas":3},"status":{"phase":"A"}}"#)
        #expect(schema.validate(stored).map(\.description) == [#"spec: Invalid value: "object": too many"#])
        #expect(schema.validate(j(#"{"spec":{"replicas":5,"maxReplicas":3},"status":{"phase":"B"}}"#), oldObject: stored) == [])
        #expect(schema.validate(j(#"{"spec":{"replicas":6,"maxReplicas":3},"status":{"phase":"B"}}"#), oldObject: stored).map(\.description)
            == [#"spec: Invalid value: "object": too many"#])
        let frozen = j(#"{"frozen":{"v":1}}"#)
        #expect(schema.validate(frozen, oldObject: frozen).map(\.description) == [#"frozen: Invalid value: "object": must change"#])
    }

    @Test func evaluationErrorsAreReported() throws {
        let messages = try ruleErrors(#"[{"rule":"self.replicas > 1"}]"#, properties: replicaProperties, spec: #"{}"#)
        #expect(messages == [#"spec: Invalid value: "object": no such key: replicas evaluating rule: self.replicas > 1"#])
        let overflow = try ruleErrors(#"[{"rule":"self.replicas * 4611686018427387904 > 0"}]"#, properties: replicaProperties, spec: #"{"replicas":4}"#)
        #expect(overflow.first?.contains("integer overflow evaluating rule") == true)
    }

    @Test func rootRulesReportTheNilField() throws {
        let schema = try StructuralSchema(openAPIV3Schema: j(#"{"type":"object","x-kubernetes-validations":[{"rule":"has(self.spec)","message":"spec is required"}],"properties":{"spec":{"type":"object"}}}"#))
        #expect(schema.validate(j("{}")).map(\.description) == [#"<nil>: Invalid value: "object": spec is required"#])
    }

    @Test func rootRulesSeeObjectMetadata() throws {
        let schema = try StructuralSchema(openAPIV3Schema: j(#"{"type":"object","x-kubernetes-validations":[{"rule":"self.metadata.name.startsWith('bg-') && self.kind == 'Widget'","message":"name must start with bg-"}],"properties":{"spec":{"type":"object"}}}"#))
        #expect(schema.validate(j(#"{"kind":"Widget","metadata":{"name":"bg-1"},"spec":{}}"#)) == [])
        #expect(schema.validate(j(#"{"kind":"Widget","metadata":{"name":"x"},"spec":{}}"#)).map(\.description) == [#"<nil>: Invalid value: "object": name must start with bg-"#])
        #expect(throws: SchemaError.self) {
            try StructuralSchema(openAPIV3Schema: j(#"{"type":"object","x-kubernetes-validations":[{"rule":"self.bogus == 1"}],"properties":{"spec":{"type":"object"}}}"#))
        }
    }

    @Test func rulesDoNotRunOnObjectsWithTypeErrors() throws {
        let messages = try ruleErrors(#"[{"rule":"self.replicas > 1"}]"#, properties: replicaProperties, spec: #"{"replicas":"x"}"#)
        #expect(messages == [
            #"spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string""#,
            "<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
        ])
    }

    @Test func missingRequiredFieldsAlsoBlockRules() throws {
        let schema = try StructuralSchema(openAPIV3Schema: j(#"{"type":"object","properties":{"spec":{"type":"object","required":["size"],"properties":{"size":{"type":"integer"}},"x-kubernetes-validations":[{"rule":"self.size > 0"}]}}}"#))
        #expect(schema.validate(j(#"{"spec":{}}"#)).map(\.type) == [.required, .invalid])
        #expect(schema.validate(j(#"{"spec":{"size":0}}"#)).map(\.description) == [#"spec: Invalid value: "object": failed rule: self.size > 0"#])
    }

    @Test func expressionsEvaluateLikeCEL() throws {
        func eval(_ source: String, _ json: String = "{}") throws -> CELValue {
            let node = try StructuralSchema(openAPIV3Schema: j(#"{"type":"object","x-kubernetes-preserve-unknown-fields":true}"#)).root
            let program = try CELProgram.compile(source, schema: node, correlatable: true)
            return try program.evaluate(self: CELValue(json: j(json), schema: node), oldSelf: nil)
        }
        #expect(try eval("1 + 2 * 3") == .int(7))
        #expect(try eval("7 / 2 == 3 && 7 % 2 == 1") == .bool(true))
        #expect(try eval("'a' + 'b' < 'ac'") == .bool(true))
        #expect(try eval("[1, 2] + [3] == [1, 2, 3]") == .bool(true))
        #expect(try eval("{'a': 1}['a']") == .int(1))
        #expect(try eval("int('42') + int(2.9)") == .int(44))
        #expect(try eval("double(1) / 4.0") == .double(0.25))
        #expect(try eval("'a,b,c'.split(',').join('-')") == .string("a-b-c"))
        #expect(throws: CELError.self) { try eval("'x' + 1") }
        #expect(try eval("'hello'.substring(1, 3)") == .string("el"))
        #expect(try eval("'  x '.trim() == 'x' && 'abc'.replace('b', 'B') == 'aBc'") == .bool(true))
        #expect(try eval("[3, 1, 2].max() == 3 && [1, 2, 3].isSorted() && ![2, 1].isSorted()") == .bool(true))
        #expect(try eval("self.a.b == 1 || true", #"{}"#) == .bool(true))
        #expect(throws: CELError.self) { try eval("1 + 1.0") }
        #expect(throws: CELError.self) { try eval("1 / 0") }
        #expect(throws: CELError.self) { try eval("[1][3]") }
        #expect(throws: CELError.self) { try eval("unknownVar == 1") }
    }
}
