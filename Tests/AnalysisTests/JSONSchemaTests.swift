import Testing
import KubeClient
@testable import Analysis

@Suite("JSON Schema validator")
struct JSONSchemaTests {
    let schema = JSONSchema([
        "definitions": [
            "Severity": ["type": "string", "enum": ["critical", "warning", "info"]],
        ],
        "type": "object",
        "additionalProperties": false,
        "required": ["name", "items"],
        "properties": [
            "name": ["type": "string", "maxLength": 5],
            "count": ["type": "integer", "minimum": 0, "nullable": true],
            "items": ["type": "array", "minItems": 1, "items": ["$ref": "#/definitions/Severity"]],
            "choice": ["oneOf": [["type": "string"], ["type": "integer"]]],
        ],
    ])

    @Test func acceptsAValidDocument() throws {
        let value = try JSONValue(parsing: #"{"name":"abc","count":null,"items":["info","critical"],"choice":3}"#)
        #expect(schema.violations(of: value).isEmpty)
    }

    @Test func reportsEachViolationWithItsPath() throws {
        let value = try JSONValue(parsing: #"{"name":"abcdefg","count":-1.5,"items":["fatal"],"extra":1}"#)
        let messages = schema.violations(of: value).map(\.description)
        #expect(messages.contains { $0.hasPrefix("$.name:") && $0.contains("at most 5") })
        #expect(messages.contains { $0.hasPrefix("$.count:") && $0.contains("expected integer") })
        #expect(messages.contains { $0.hasPrefix("$.items[0]:") && $0.contains("expected one of") })
        #expect(messages.contains { $0.hasPrefix("$.extra:") && $0.contains("not allowed") })
    }

    @Test func requiresMembersAndMinimumItems() throws {
        let messages = schema.violations(of: try JSONValue(parsing: #"{"items":[]}"#)).map(\.description)
        #expect(messages.contains("$: missing required member 'name'"))
        #expect(messages.contains { $0.hasPrefix("$.items:") && $0.contains("at least 1") })
    }

    @Test func oneOfNeedsExactlyOneBranch() throws {
        let both = JSONSchema(["oneOf": [["type": "number"], ["type": "integer"]]])
        #expect(!both.isValid(.int(3)))        // an integer is also a number
        #expect(both.isValid(.double(2.5)))
        #expect(!both.isValid(.string("x")))
    }

    @Test func theReplySchemaRejectsWhatTheResultCannotHold() throws {
        let good = try JSONValue(parsing: #"{"verdict":"pass","confidence":0.8,"summary":"ok","findings":[],"recommendations":[]}"#)
        #expect(ReplySchema.validator.isValid(good))
        var bad = good
        bad["verdict"] = "maybe"
        bad["confidence"] = 1.5
        let messages = ReplySchema.validator.violations(of: bad).map(\.description)
        #expect(messages.count == 2)
        var missing = good
        missing.removeValue(forKey: "findings")
        #expect(!ReplySchema.validator.isValid(missing))
    }
}
