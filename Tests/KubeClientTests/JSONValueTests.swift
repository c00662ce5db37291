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
}
