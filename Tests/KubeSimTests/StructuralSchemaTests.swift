import Testing
import KubeClient
@testable import KubeSim

private func j(_ text: String) -> JSONValue { try! JSONValue(parsing: text) }

private let widgetSchema = j(#"""
{"type":"object","properties":{
  "spec":{"type":"object","required":["size"],"properties":{
    "size":{"type":"integer","minimum":1,"maximum":10},
    "mode":{"type":"string","enum":["fast","safe"],"default":"safe"},
    "name":{"type":"string","minLength":3,"maxLength":8,"pattern":"^[a-z]+$"},
    "ratio":{"type":"number","exclusiveMinimum":true,"minimum":0},
    "when":{"type":"string","format":"date-time"},
    "port":{"x-kubernetes-int-or-string":true},
    "note":{"type":"string","nullable":true},
    "tags":{"type":"array","maxItems":3,"minItems":1,"items":{"type":"string"},"x-kubernetes-list-type":"set"},
    "labels":{"type":"object","additionalProperties":{"type":"string","maxLength":5}},
    "ports":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
      "items":{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"port":{"type":"integer","default":80}}}},
    "template":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true},
    "extra":{"type":"object","x-kubernetes-preserve-unknown-fields":true}
  }},
  "status":{"type":"object","properties":{"phase":{"type":"string"}}}
}}
"""#)

@Suite struct StructuralSchemaTests {
    let schema = try! StructuralSchema(openAPIV3Schema: widgetSchema)

    func errors(_ spec: String) -> [String] {
        schema.validate(j(#"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":\#(spec)}"#)).map(\.description)
    }

    @Test func validObjectHasNoErrors() {
        #expect(errors(#"{"size":3,"mode":"fast","name":"abc","ratio":0.5,"when":"2024-05-01T10:00:00Z","port":"http","note":null,"tags":["a","b"],"labels":{"a":"x"},"ports":[{"name":"web","port":80}]}"#) == [])
        #expect(errors(#"{"size":3,"port":8080}"#) == [])
    }

    /// Updates ratchet (Kubernetes 1.30+): a value that was stored before is not rejected again
    /// when it is left unchanged, but a changed value is checked, as is a create.
    @Test func unchangedInvalidValuesRatchetOnUpdate() {
        func object(_ spec: String, status: String = "{}") -> JSONValue {
            j(#"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":\#(spec),"status":\#(status)}"#)
        }
        // Stored under an older, looser schema: name breaks today's pattern and size its maximum.
        let stored = object(#"{"size":30,"name":"ABC"}"#)
        #expect(schema.validate(stored).map(\.field).sorted() == ["spec.name", "spec.size"])
        // A status update that leaves the spec alone is accepted.
        #expect(schema.validate(object(#"{"size":30,"name":"ABC"}"#, status: #"{"phase":"Ready"}"#), oldObject: stored) == [])
        // Changing one invalid field to another invalid value reports that field only.
        #expect(schema.validate(object(#"{"size":40,"name":"ABC"}"#), oldObject: stored).map(\.field) == ["spec.size"])
        // A new invalid value beside unchanged ones is still rejected.
        #expect(schema.validate(object(#"{"size":30,"name":"ABC","mode":"slow"}"#), oldObject: stored).map(\.field) == ["spec.mode"])
    }

    @Test func typeRequiredAndEnumMessagesMatchKubeAPIServer() {
        #expect(errors(#"{"size":"three"}"#) == [#"spec.size: Invalid value: "string": spec.size in body must be of type integer: "string""#])
        #expect(errors(#"{}"#) == ["spec.size: Required value"])
        #expect(errors(#"{"size":1,"mode":"slow"}"#) == [#"spec.mode: Unsupported value: "slow": supported values: "fast", "safe""#])
        #expect(errors(#"{"size":null}"#) == [#"spec.size: Invalid value: "null": spec.size in body must be of type integer: "null""#])
        #expect(errors(#"{"size":1,"port":true}"#) == [#"spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean""#])
    }

    @Test func boundsLengthsAndPatterns() {
        #expect(errors(#"{"size":0}"#) == ["spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1"])
        #expect(errors(#"{"size":11}"#) == ["spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10"])
        #expect(errors(#"{"size":1,"ratio":0}"#) == ["spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0"])
        #expect(errors(#"{"size":1,"name":"toolongname"}"#) == ["spec.name: Too long: may not be more than 8 bytes"])
        #expect(errors(#"{"size":1,"name":"ab"}"#) == [#"spec.name: Invalid value: "ab": spec.name in body should be at least 3 chars long"#])
        #expect(errors(#"{"size":1,"name":"ABCD"}"#) == [#"spec.name: Invalid value: "ABCD": spec.name in body should match '^[a-z]+$'"#])
        #expect(errors(#"{"size":1,"tags":["a","b","c","d"]}"#) == ["spec.tags: Too many: 4: must have at most 3 items"])
        #expect(errors(#"{"size":1,"tags":[]}"#) == ["spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items"])
        #expect(errors(#"{"size":1,"when":"yesterday"}"#) == [#"spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday""#])
        #expect(errors(#"{"size":1,"labels":{"k":"toolong"}}"#) == ["spec.labels.k: Too long: may not be more than 5 bytes"])
        #expect(errors(#"{"size":1,"ports":[{"name":"a","port":"x"}]}"#) == [#"spec.ports[0].port: Invalid value: "string": spec.ports[0].port in body must be of type integer: "string""#])
    }

    @Test func listTypeSetAndMapRejectDuplicates() {
        #expect(errors(#"{"size":1,"tags":["a","b","a"]}"#) == [#"spec.tags[2]: Duplicate value: "a""#])
        #expect(errors(#"{"size":1,"ports":[{"name":"a"},{"name":"b"},{"name":"a","port":1}]}"#) == [#"spec.ports[2]: Duplicate value: {"name":"a"}"#])
    }

    @Test func embeddedResourcesNeedKindAndAPIVersion() {
        #expect(errors(#"{"size":1,"template":{"metadata":{"name":"x"}}}"#) == [
            "spec.template.apiVersion: Required value: must not be empty",
            "spec.template.kind: Required value: must not be empty",
        ])
    }

    @Test func invalidStatusAggregatesLikeNewInvalid() {
        let problems = schema.validate(j(#"{"spec":{"size":"x","mode":"slow"}}"#))
        let status = APIError.invalid(kind: "Widget", group: "example.com", name: "w", errors: problems + problems).status
        #expect(status["code"] == 422)
        #expect(status["reason"] == "Invalid")
        #expect(status["message"] == .string(#"Widget.example.com "w" is invalid: [spec.mode: Unsupported value: "slow": supported values: "fast", "safe", spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"]"#))
        #expect(status["details"]["causes"].arrayValue?.count == 4, "a cause for every error, as NewInvalid lists them")
        #expect(status["details"]["causes"][0] == j(#"{"reason":"FieldValueNotSupported","message":"Unsupported value: \"slow\": supported values: \"fast\", \"safe\"","field":"spec.mode"}"#))
        let single = APIError.invalid(kind: "Pod", group: "", name: "p", errors: [FieldError(type: .required, field: "spec.containers")]).status
        #expect(single["message"] == #"Pod "p" is invalid: spec.containers: Required value"#)
        #expect(single["details"]["group"] == .null)
    }

    @Test func pruningDropsAndReportsUnknownFields() {
        let object = j(#"""
        {"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","bogus":1},
         "spec":{"size":1,"colour":"red","ports":[{"name":"a","extra":true}],
           "template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"anything":{"goes":1}},
           "extra":{"free":{"form":[1]}}},
         "status":{"phase":"Ready","secret":"x"},"top":1}
        """#)
        let (pruned, unknown) = schema.prune(object)
        #expect(unknown == ["metadata.bogus", "spec.colour", "spec.ports[0].extra", "status.secret", "top"])
        #expect(pruned["spec"]["colour"] == .null)
        #expect(pruned["spec"]["template"]["anything"] == j(#"{"goes":1}"#))
        #expect(pruned["spec"]["extra"] == j(#"{"free":{"form":[1]}}"#))
        #expect(pruned["metadata"] == j(#"{"name":"w"}"#))
        #expect(pruned["apiVersion"] == "example.com/v1")
        #expect(StructuralSchema.strictDecodingMessage(unknownFields: ["spec.a", "spec.b"])
            == #"strict decoding error: unknown field "spec.a", unknown field "spec.b""#)
    }

    @Test func pruningRemovesNullsThatCannotBeNull() {
        let (pruned, _) = schema.prune(j(#"{"spec":{"size":1,"name":null,"note":null,"mode":null}}"#))
        #expect(pruned["spec"] == j(#"{"size":1,"note":null,"mode":null}"#))
        #expect(schema.applyDefaults(pruned)["spec"]["mode"] == "safe")
    }

    @Test func defaultsApplyOnlyWhereTheParentExists() {
        let defaulted = schema.applyDefaults(j(#"{"spec":{"size":1,"ports":[{"name":"a"},{"name":"b","port":8080}]}}"#))
        #expect(defaulted["spec"]["mode"] == "safe")
        #expect(defaulted["spec"]["ports"] == j(#"[{"name":"a","port":80},{"name":"b","port":8080}]"#))
        #expect(schema.applyDefaults(j(#"{"status":{}}"#))["spec"] == .null)

        let mapDefaults = try! StructuralSchema(openAPIV3Schema: j(#"""
        {"type":"object","properties":{"spec":{"type":"object","properties":{
          "pools":{"type":"object","additionalProperties":{"type":"object","properties":{"size":{"type":"integer","default":3}}}},
          "settings":{"type":"object","default":{},"properties":{"level":{"type":"string","default":"info"}}}}}}}
        """#))
        let result = mapDefaults.applyDefaults(j(#"{"spec":{"pools":{"a":{},"b":{"size":5}}}}"#))
        #expect(result["spec"]["pools"] == j(#"{"a":{"size":3},"b":{"size":5}}"#))
        #expect(result["spec"]["settings"] == j(#"{"level":"info"}"#))
    }

    @Test func strategicSchemaFromCRDGivesMapListKeys() throws {
        let strategic = StrategicSchema(structural: schema)
        let config = j(#"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"size":1,"ports":[{"name":"web","port":80}],"tags":["a"]}}"#)
        let applied = try ServerSideApply.apply(config: config, to: nil, manager: "op", force: false, now: "2024-01-01T00:00:00Z", schema: strategic)
        let fields = applied[path: ["metadata", "managedFields"]][0]["fieldsV1"]
        #expect(fields["f:spec"]["f:ports"] == j(#"{"k:{\"name\":\"web\"}":{".":{},"f:name":{},"f:port":{}}}"#))
        #expect(fields["f:spec"]["f:tags"] == j(#"{"v:\"a\"":{}}"#))
    }
}

@Suite struct StructuralSchemaRegistrationTests {
    func problems(_ schema: String) -> [String] {
        do {
            _ = try StructuralSchema(openAPIV3Schema: j(schema))
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    @Test func rejectsNonStructuralSchemas() {
        #expect(problems(#"{"type":"object","properties":{"spec":{"properties":{"a":{"type":"string"}}}}}"#)
            == ["openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields"])
        #expect(problems(#"{"properties":{}}"#) == ["openAPIV3Schema.type: Required value: must not be empty at the root"])
        #expect(problems(#"{"type":"array","items":{"type":"string"}}"#) == [#"openAPIV3Schema.type: Invalid value: "array": must be object at the root"#])
        #expect(problems(##"{"type":"object","properties":{"spec":{"$ref":"#/definitions/x"}}}"##)
            == ["openAPIV3Schema.properties[spec].$ref: Forbidden: $ref is not supported",
                "openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields"])
        #expect(problems(#"{"type":"object","properties":{"spec":{"type":"object","additionalProperties":false}}}"#)
            == ["openAPIV3Schema.properties[spec].additionalProperties: Forbidden: must not be false: unknown fields are pruned, so leave additionalProperties out"])
        #expect(problems(#"{"type":"object","properties":{"a":{"type":"array"}}}"#) == ["openAPIV3Schema.properties[a].items: Required value: must be specified"])
        #expect(problems(#"{"type":"object","properties":{"a":{"type":"array","uniqueItems":true,"items":{"type":"string"}}}}"#)
            == ["openAPIV3Schema.properties[a].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic"])
        #expect(problems(#"{"type":"object","properties":{"a":{"type":"strin"}}}"#)
            == [#"openAPIV3Schema.properties[a].type: Unsupported value: "strin": supported values: "array", "boolean", "integer", "number", "object", "string""#])
        #expect(problems(#"{"type":"object","properties":{"a":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"}}}}}}"#)
            == ["openAPIV3Schema.properties[a].items.properties[k].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property"])
        #expect(problems(#"{"type":"object","properties":{"a":{"type":"integer","default":"x"}}}"#)
            == [#"openAPIV3Schema.properties[a].default: Invalid value: "x": must be of type integer: "string""#])
    }

    @Test func acceptsIntOrStringAndPreserveUnknownFields() {
        #expect(problems(#"{"type":"object","properties":{"p":{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}]},"free":{"x-kubernetes-preserve-unknown-fields":true}}}"#) == [])
    }

    @Test func reportsCELRulesOutsideTheSubsetWhenRegistered() {
        let unknownFunction = problems(#"{"type":"object","properties":{"spec":{"type":"object","properties":{"t":{"type":"string"}},"x-kubernetes-validations":[{"rule":"self.t.frobnicate()"}]}}}"#)
        #expect(unknownFunction.count == 1)
        #expect(unknownFunction[0].hasPrefix(#"openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Invalid value: {"rule":"self.t.frobnicate()"}: compilation failed: undeclared reference to 'frobnicate'"#))
        let undefinedField = problems(#"{"type":"object","properties":{"spec":{"type":"object","properties":{"t":{"type":"string"}},"x-kubernetes-validations":[{"rule":"self.typo == 'x'"}]}}}"#)
        #expect(undefinedField.first?.hasSuffix("compilation failed: undefined field 'typo'") == true)
        let syntax = problems(#"{"type":"object","x-kubernetes-validations":[{"rule":"self.a ==="}],"properties":{"a":{"type":"string"}}}"#)
        #expect(syntax.first?.contains("Syntax error") == true)
        let uncorrelatable = problems(#"{"type":"object","properties":{"l":{"type":"array","items":{"type":"string","x-kubernetes-validations":[{"rule":"self == oldSelf"}]}}}}"#)
        #expect(uncorrelatable.first?.contains("oldSelf cannot be used on the uncorrelatable portion of the schema") == true)
    }
}
