import Testing
@testable import KubeClient

@Suite struct JSONValueTests {
    @Test func roundTripKeepsUnknownFieldsAndExactIntegers() throws {
        let text = #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","generation":9007199254740993},"spec":{"x-unknown":{"deep":[1,2.5,"s",null,true]}}}"#
        let value = try JSONValue(parsing: text)
        #expect(value["metadata"]["generation"] == .int(9_007_199_254_740_993))
        #expect(value["spec"]["x-unknown"]["deep"][1] == .double(2.5))
        let again = try JSONValue(parsing: value.serialized())
        #expect(again == value)
    }

    @Test func escapesAndUnicode() throws {
        let value = try JSONValue(parsing: #""line\nbreak \"q\" \u00e9 \ud83d\ude00""#)
        #expect(value == .string("line\nbreak \"q\" é 😀"))
        #expect(try JSONValue(parsing: value.serialized()) == value)
        // What the serializer writes, byte for byte: the escapes Go's encoding/json writes for these, UTF-8 as is.
        #expect(JSONValue.string("a\"b\\c\n\t\r\u{01}é 😀").serialized() == #""a\"b\\c\n\t\r\u0001é 😀""#)
        #expect(JSONValue.object(["b": 1, "a": ["x\"": "y"]]).serialized() == #"{"a":{"x\"":"y"},"b":1}"#)
    }

    @Test func rejectsMalformedInputWithOffset() {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: #"{"a":}"#) }
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: #"{"a":1} x"#) }
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: #""unterminated"#) }
    }

    @Test func numbersRepeatedKeysAndNesting() throws {
        let value = try JSONValue(parsing: #"{"a":1,"b":-0,"c":-9223372036854775808,"d":9223372036854775807,"e":18446744073709551616,"a":[{"k":2,"k":3}]}"#)
        #expect(value["b"] == .int(0))
        #expect(value["c"] == .int(Int64.min))
        #expect(value["d"] == .int(Int64.max))
        #expect(value["e"] == .double(18_446_744_073_709_551_616))
        #expect(value["a"] == .array([.object(["k": 3])]))  // a repeated key: the last one wins, as in Go
        #expect(value.objectValue?.count == 5)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: "-") }
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: "[1,]") }
    }

    @Test func managedFieldsAreLeftOutOnlyWhenAsked() throws {
        let text = #"""
        {"type":"MODIFIED","object":{"metadata":{"name":"a","managedFields":[{"manager":"m","fieldsV1":{"f:spec":{".":{},"f:x\"y":{}}},"time":null,"n":[1.5e3,true,false]}],"uid":"u"},
         "spec":{"template":{"metadata":{"managedFields":[],"labels":{"a":"b"}}},"managedFields":"kept: not in metadata"}}}
        """#
        let omitted = try JSONValue(parsing: text, options: JSONParseOptions(omitManagedFields: true))
        #expect(omitted["object"]["metadata"] == ["name": "a", "uid": "u"])
        #expect(omitted["object"]["spec"]["managedFields"] == "kept: not in metadata")
        #expect(omitted["object"]["spec"]["template"]["metadata"] == ["labels": ["a": "b"]])  // every ObjectMeta
        let full = try JSONValue(parsing: text)
        #expect(full["object"]["metadata"]["managedFields"][0]["manager"] == "m")
        var stripped = full
        stripped["object"]["metadata"].removeValue(forKey: "managedFields")
        stripped["object"]["spec"]["template"]["metadata"].removeValue(forKey: "managedFields")
        #expect(omitted == stripped)
        // What is skipped must still be JSON.
        for broken in [#"{"metadata":{"managedFields":[{"a" 1}]}}"#, #"{"metadata":{"managedFields":[1,}]}}"#,
                       #"{"metadata":{"managedFields":"open}}"#, #"{"metadata":{"managedFields":[tru]}}"#] {
            #expect(throws: JSONParseError.self) { try JSONValue(parsing: broken, options: JSONParseOptions(omitManagedFields: true)) }
        }
    }

    @Test func repeatedKeysAreNotedByPathInDocumentOrderAndTheLastValueWins() throws {
        let text = #"{"a":1,"a":2,"d":{"e":{"f":1,"f":2}},"list":[{"g":1},{"g":1,"g":3}],"b":{"x":1},"b":{"y":2}}"#
        let (value, duplicates) = try JSONValue.parsingNotingDuplicates(Array(text.utf8))
        #expect(duplicates == ["a", "d.e.f", "list[1].g", "b"])
        #expect(value["a"] == 2 && value["list"][1]["g"] == 3 && value["b"] == ["y": 2])
        #expect(try JSONValue.parsingNotingDuplicates(Array(#"{"a":[1,{"b":2}]}"#.utf8)).duplicateKeys.isEmpty)
        #expect(value == (try JSONValue(parsing: text)), "noting changes nothing about the value")
    }
}
