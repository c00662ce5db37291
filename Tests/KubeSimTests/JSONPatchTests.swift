import Testing
import KubeClient
@testable import KubeSim

private func j(_ text: String) -> JSONValue { try! JSONValue(parsing: text) }

/// RFC 6902 appendix A examples, plus error reporting.
@Suite struct JSONPatchTests {
    @Test func addsObjectMemberAndArrayElement() throws {
        #expect(try JSONPatch.apply(j(#"[{"op":"add","path":"/baz","value":"qux"}]"#), to: j(#"{"foo":"bar"}"#))
            == j(#"{"baz":"qux","foo":"bar"}"#))
        #expect(try JSONPatch.apply(j(#"[{"op":"add","path":"/foo/1","value":"qux"}]"#), to: j(#"{"foo":["bar","baz"]}"#))
            == j(#"{"foo":["bar","qux","baz"]}"#))
        #expect(try JSONPatch.apply(j(#"[{"op":"add","path":"/foo/-","value":"end"}]"#), to: j(#"{"foo":["a"]}"#))
            == j(#"{"foo":["a","end"]}"#))
        #expect(try JSONPatch.apply(j(#"[{"op":"add","path":"/child","value":{"grandchild":{}}}]"#), to: j(#"{"foo":"bar"}"#))
            == j(#"{"foo":"bar","child":{"grandchild":{}}}"#))
        #expect(try JSONPatch.apply(j(#"[{"op":"add","path":"/foo/-","value":["abc","def"]}]"#), to: j(#"{"foo":["bar"]}"#))
            == j(#"{"foo":["bar",["abc","def"]]}"#))
    }

    @Test func addKeepsExplicitNullAndReplacesWholeDocument() throws {
        #expect(try JSONPatch.apply(j(#"[{"op":"add","path":"/a","value":null}]"#), to: j("{}")) == j(#"{"a":null}"#))
        #expect(try JSONPatch.apply(j(#"[{"op":"add","path":"","value":[1]}]"#), to: j(#"{"x":1}"#)) == j("[1]"))
    }

    @Test func removesAndReplaces() throws {
        #expect(try JSONPatch.apply(j(#"[{"op":"remove","path":"/baz"}]"#), to: j(#"{"baz":"qux","foo":"bar"}"#)) == j(#"{"foo":"bar"}"#))
        #expect(try JSONPatch.apply(j(#"[{"op":"remove","path":"/foo/1"}]"#), to: j(#"{"foo":["bar","qux","baz"]}"#)) == j(#"{"foo":["bar","baz"]}"#))
        #expect(try JSONPatch.apply(j(#"[{"op":"replace","path":"/baz","value":"boo"}]"#), to: j(#"{"baz":"qux","foo":"bar"}"#))
            == j(#"{"baz":"boo","foo":"bar"}"#))
    }

    @Test func movesAndCopies() throws {
        let doc = j(#"{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}"#)
        #expect(try JSONPatch.apply(j(#"[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]"#), to: doc)
            == j(#"{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}"#))
        #expect(try JSONPatch.apply(j(#"[{"op":"move","from":"/foo/1","path":"/foo/3"}]"#), to: j(#"{"foo":["all","grass","cows","eat"]}"#))
            == j(#"{"foo":["all","cows","eat","grass"]}"#))
        #expect(try JSONPatch.apply(j(#"[{"op":"copy","from":"/foo/bar","path":"/copied"}]"#), to: doc)["copied"] == "baz")
    }

    @Test func testOperationComparesByJSONValue() throws {
        let doc = j(#"{"baz":"qux","foo":["a",2,"c"],"n":1}"#)
        #expect(try JSONPatch.apply(j(#"[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2},{"op":"test","path":"/n","value":1.0}]"#), to: doc) == doc)
        let error = #expect(throws: PatchError.self) {
            try JSONPatch.apply(j(#"[{"op":"add","path":"/x","value":1},{"op":"test","path":"/baz","value":"bar"}]"#), to: doc)
        }
        #expect(error?.kind == .unprocessable)
        #expect(error?.httpStatus == 422)
        #expect(error?.message == #"json patch operation 1 (test) at "/baz" failed: value is "qux", expected "bar""#)
        // RFC 6902 A.15: a string never equals a number.
        #expect(throws: PatchError.self) { try JSONPatch.apply(j(#"[{"op":"test","path":"/~01","value":"10"}]"#), to: j(#"{"/":9,"~1":10}"#)) }
    }

    @Test func pointerEscapesFollowRFC6901() throws {
        #expect(try JSONPatch.apply(j(#"[{"op":"test","path":"/~01","value":10}]"#), to: j(#"{"/":9,"~1":10}"#)) == j(#"{"/":9,"~1":10}"#))
        #expect(try JSONPatch.apply(j(#"[{"op":"replace","path":"/metadata/annotations/example.com~1owner","value":"me"}]"#),
                                    to: j(#"{"metadata":{"annotations":{"example.com/owner":"you"}}}"#))
            == j(#"{"metadata":{"annotations":{"example.com/owner":"me"}}}"#))
        #expect(throws: PatchError.self) { try JSONPatch.apply(j(#"[{"op":"remove","path":"/a~2"}]"#), to: j(#"{"a~2":1}"#)) }
    }

    @Test func ignoresUnrecognizedMembers() throws {
        #expect(try JSONPatch.apply(j(#"[{"op":"add","path":"/baz","value":"qux","xyz":123}]"#), to: j(#"{"foo":"bar"}"#))
            == j(#"{"foo":"bar","baz":"qux"}"#))
    }

    @Test func reportsTheFailingOperation() {
        let missingParent = #expect(throws: PatchError.self) {
            try JSONPatch.apply(j(#"[{"op":"add","path":"/baz/bat","value":"qux"}]"#), to: j(#"{"foo":"bar"}"#))
        }
        #expect(missingParent?.message == #"json patch operation 0 (add) at "/baz/bat" failed: parent "baz" does not exist"#)
        let outOfRange = #expect(throws: PatchError.self) {
            try JSONPatch.apply(j(#"[{"op":"add","path":"/a/5","value":1}]"#), to: j(#"{"a":[1]}"#))
        }
        #expect(outOfRange?.message.contains("out of range 0...1") == true)
        let missing = #expect(throws: PatchError.self) {
            try JSONPatch.apply(j(#"[{"op":"replace","path":"/spec/replicas","value":2}]"#), to: j(#"{"spec":{}}"#))
        }
        #expect(missing?.kind == .unprocessable)
        #expect(throws: PatchError.self) { try JSONPatch.apply(j(#"[{"op":"move","from":"/a","path":"/a/b"}]"#), to: j(#"{"a":{}}"#)) }
        #expect(throws: PatchError.self) { try JSONPatch.apply(j(#"[{"op":"remove","path":"/a/01"}]"#), to: j(#"{"a":[1,2]}"#)) }
    }

    @Test func rejectsMalformedPatchesAsBadRequest() {
        for bad in [#"{"op":"add"}"#, #"[{"path":"/a"}]"#, #"[{"op":"frobnicate","path":"/a"}]"#,
                    #"[{"op":"add","path":"/a"}]"#, #"[{"op":"move","path":"/a"}]"#, #"[{"op":"add","path":"a","value":1}]"#] {
            let error = #expect(throws: PatchError.self) { try JSONPatch.apply(j(bad), to: j("{}")) }
            #expect(error?.kind == .badRequest, "\(bad)")
        }
    }
}

/// RFC 7386 appendix A examples, and patch generation.
@Suite struct MergePatchTests {
    @Test func rfc7386Examples() {
        let cases: [(String, String, String)] = [
            (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
            (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
            (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
            (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
            (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
            (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
            (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
            (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
            (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
            (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
            (#"{"a":"foo"}"#, "null", "null"),
            (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
            (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
            (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
            (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
        ]
        for (target, patch, expected) in cases {
            #expect(MergePatch.apply(j(patch), to: j(target)) == j(expected), "\(target) + \(patch)")
        }
    }

    @Test func diffProducesAPatchThatReproducesTheTarget() {
        let original = j(#"{"metadata":{"labels":{"a":"1","b":"2"}},"spec":{"replicas":1,"ports":[80],"paused":true}}"#)
        let modified = j(#"{"metadata":{"labels":{"a":"1","c":"3"}},"spec":{"replicas":3,"ports":[80,443]}}"#)
        let patch = MergePatch.diff(from: original, to: modified)
        #expect(patch == j(#"{"metadata":{"labels":{"b":null,"c":"3"}},"spec":{"replicas":3,"ports":[80,443],"paused":null}}"#))
        #expect(MergePatch.apply(patch, to: original) == modified)
        #expect(MergePatch.diff(from: modified, to: modified) == j("{}"))
    }
}
